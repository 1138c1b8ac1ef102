import type { Role } from '../../gql/graphql'

/** Every role, lowest first: each holds every permission of the roles before it. */
export const ROLES: readonly Role[] = ['VIEWER', 'RUNNER', 'EDITOR', 'ADMIN', 'OWNER']

/** The README's permissions, each held from one role upwards. */
export type Permission = 'read' | 'run' | 'edit' | 'manage' | 'own'

const LOWEST: Record<Permission, Role> = { read: 'VIEWER', run: 'RUNNER', edit: 'EDITOR', manage: 'ADMIN', own: 'OWNER' }

/** Whether `role` holds `permission` (no role: nothing). The API refuses anyway; this only hides controls. */
export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(LOWEST[permission])
}

/** The roles someone with `role` may hand out (to a token or an invitation): theirs and below. */
export function rolesUpTo(role: Role | undefined): Role[] {
  return role === undefined ? [] : ROLES.slice(0, ROLES.indexOf(role) + 1)
}

/**
 * The roles an admin or owner may give a member: only owners make or unmake owners, so an admin
 * neither offers OWNER nor may touch an owner's role.
 */
export function assignableRoles(own: Role | undefined, target: Role): Role[] {
  if (!can(own, 'manage')) return []
  if (own === 'OWNER') return [...ROLES]
  return target === 'OWNER' ? [] : ROLES.filter((role) => role !== 'OWNER')
}

/** A role as people write it ("Admin"). */
export function roleLabel(role: Role): string {
  return role.charAt(0) + role.slice(1).toLowerCase()
}
