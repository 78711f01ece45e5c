// Transfer tokens (issue 10 #12): a task's payload is stored with placeholders, never a usable token. The
// token is minted when the task is handed to its agent, only its hash is kept (on the Transfer row), and it
// is bound to that agent: a re-delivery mints a new one and the old one stops working.
import { z } from "zod";
import { newSecret } from "@/lib/flow/tokens";
import { sealGrant, sealKeyOf } from "@/lib/agent-protocol/grant-seal";

/** What sealing a transfer's grant reads of its row. */
export interface SealableTransfer {
  id: string;
  sourceAgentId: string;
  sourcePath: string;
  bytes: bigint;
  sha256: string;
  tokenExpiresAt: Date;
}
export const SEALABLE = { id: true, sourceAgentId: true, sourcePath: true, bytes: true, sha256: true, tokenExpiresAt: true } as const;

/** The seal of what the token with `tokenHash` may fetch, for the agent that serves it; null without a dashboard secret. */
export function sealTransfer(transfer: SealableTransfer, tokenHash: string): string | null {
  const key = sealKeyOf(transfer.sourceAgentId);
  if (!key) return null;
  const { id: transferId, sourcePath: path, sha256, tokenExpiresAt } = transfer;
  return sealGrant(key, { transferId, path, bytes: Number(transfer.bytes), sha256, tokenHash, expiresAt: tokenExpiresAt.getTime() });
}

const PLACEHOLDER_PREFIX = "issued-when-claimed:";

/** What a stored payload carries in place of a transfer's token. */
export function tokenPlaceholder(transferId: string): string {
  return `${PLACEHOLDER_PREFIX}${transferId}`.padEnd(32, "-");
}

const ticketShape = z.object({ transferId: z.string(), token: z.string() });

/** The payload with every ticket still awaiting its token (placeholder) replaced by `replace(ticket, its transfer id)`. */
function mapPendingTickets(payload: unknown, replace: (ticket: object, transferId: string) => unknown): unknown {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== "object") return value;
    const ticket = ticketShape.safeParse(value);
    if (ticket.success && ticket.data.token.startsWith(PLACEHOLDER_PREFIX)) return replace(value, ticket.data.transferId);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, visit(inner)]));
  };
  return visit(payload);
}

/** The transfers whose tickets the payload carries, still without a token (none: nothing to mint or seal). */
export function pendingTicketIds(payload: unknown): string[] {
  const ids: string[] = [];
  mapPendingTickets(payload, (ticket, transferId) => ids.push(transferId));
  return ids;
}

/**
 * The payload as the agent receives it: every transfer ticket in it gets a fresh token, and the seal of what that
 * token may fetch when `seal` gives one. Returns the new payload and, per transfer, the hash to store.
 */
export function mintTransferTokens(
  payload: unknown,
  seal: (transferId: string, tokenHash: string) => string | null = () => null,
): { payload: unknown; hashes: Map<string, string> } {
  const hashes = new Map<string, string>();
  const minted = mapPendingTickets(payload, (ticket, transferId) => {
    const secret = newSecret("xfer");
    hashes.set(transferId, secret.hash);
    const sealed = seal(transferId, secret.hash);
    return { ...ticket, token: secret.token, ...(sealed ? { seal: sealed } : {}) };
  });
  return { payload: minted, hashes };
}
