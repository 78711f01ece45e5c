import { jsonForUser } from "@/lib/server/json-route";
import { requirePermission } from "@/lib/auth/session";
import { listTrainers } from "@/lib/server/infrastructure/list-infrastructure";

export const dynamic = "force-dynamic";

export const GET = jsonForUser(async (user) => {
  await requirePermission(user, "infrastructure:view");
  return listTrainers();
});
