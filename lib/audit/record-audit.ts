import type { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db";

export interface AuditInput {
  actorUserId?: string | null;
  actorAgent?: string | null;
  action: string;
  targetType: string;
  targetId: string;
  detail?: Prisma.InputJsonValue;
}

/** Records a privileged action; pass a transaction client to make it part of the change it describes. */
export async function recordAudit(input: AuditInput, db: Pick<typeof prisma, "auditEvent"> = prisma) {
  await db.auditEvent.create({
    data: {
      actorUserId: input.actorUserId ?? null,
      actorAgent: input.actorAgent ?? null,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId,
      detail: input.detail,
    },
  });
}
