// Who may do what. Pure: callers pass the user and the facts (membership) they loaded.
export type Role = "admin" | "staff" | "scientist" | "viewer";

export interface Actor {
  id: string;
  role: Role;
}

export type Permission =
  | "experiment:view"
  | "experiment:manage"
  | "dataset:register"
  | "run:launch"
  | "run:cancel"
  | "run:retry"
  | "model:restore"
  | "infrastructure:view"
  | "infrastructure:manage"
  | "audit:view"
  | "runs:view-all";

const isStaff = (actor: Actor) => actor.role === "admin" || actor.role === "staff";

/** `member` says whether the actor belongs to the experiment the action concerns (PIs count as members). */
export function can(actor: Actor, permission: Permission, member = false): boolean {
  if (isStaff(actor)) return true;
  switch (permission) {
    case "experiment:view":
      return member;
    case "dataset:register":
    case "run:launch":
    case "run:cancel":
    case "run:retry":
    case "model:restore":
      return actor.role === "scientist" && member;
    default:
      return false;
  }
}

export const ROLE_LABEL: Record<Role, string> = {
  admin: "Administrator",
  staff: "Facility staff",
  scientist: "Scientist",
  viewer: "Viewer",
};
