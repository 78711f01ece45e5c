import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { Nav } from "@/components/layout/nav";
import { QueryProvider } from "@/components/query/query-provider";
import { LiveRunChanges } from "@/components/query/live-run-changes";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  return (
    <QueryProvider>
      <div className="shell">
        <Nav user={user} />
        <main>{children}</main>
      </div>
      <LiveRunChanges />
    </QueryProvider>
  );
}
