import { requirePermission, requireUser } from "@/lib/auth/session";

/** The signed-in user, if they may manage trainers, edge hosts and agents (staff, admin). */
export async function requireStaff() {
  const user = await requireUser();
  await requirePermission(user, "infrastructure:manage");
  return user;
}
