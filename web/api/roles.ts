/** What the signed-in role may do, from the access table (api/access.ts, through access.ts generated here). */
import { ROLE_NEEDED, ROLES, type Operation, type Role } from './access.js';

/** Returns true when `role` may call `operation`; the server refuses it anyway when not. */
export function may(role: Role, operation: Operation): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(ROLE_NEEDED[operation]);
}
