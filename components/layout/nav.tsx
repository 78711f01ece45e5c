import Link from "next/link";
import type { CurrentUser } from "@/lib/auth/session";
import { can, ROLE_LABEL } from "@/lib/auth/permissions";
import { SignOutButton } from "@/components/auth/sign-out-button";

export function Nav({ user }: { user: CurrentUser }) {
  const staff = can(user, "infrastructure:view");
  return (
    <nav className="nav" aria-label="Main">
      <div className="brand">
        Beamline Retrain
        <small>edge ↔ data-center retraining</small>
      </div>
      <Link href="/">Overview</Link>
      <Link href="/experiments">Experiments</Link>
      <Link href="/runs">Runs</Link>
      <Link href="/models">Models</Link>
      <div className="section">Decide</div>
      <Link href="/cost-model">Cost model</Link>
      <Link href="/predictions">Prediction error</Link>
      <Link href="/turnaround">Turnaround</Link>
      {staff && (
        <>
          <div className="section">Facility</div>
          <Link href="/trainers">Trainers</Link>
          <Link href="/edge-hosts">Edge hosts</Link>
          <Link href="/audit">Audit log</Link>
        </>
      )}
      <div className="who">
        <div>{user.name}</div>
        <div>{ROLE_LABEL[user.role]}</div>
        <SignOutButton />
      </div>
    </nav>
  );
}
