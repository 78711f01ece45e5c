import { prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { withRouteErrors } from "@/lib/route-errors";

export const dynamic = "force-dynamic";

export const GET = withRouteErrors(async () => {
  try {
    await prisma.$queryRaw`select 1`;
  } catch {
    throw new AppError("UNAVAILABLE", "Database unreachable.");
  }
  return Response.json({ ok: true });
});
