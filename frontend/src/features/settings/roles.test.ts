import { describe, expect, it } from 'vitest'
import { assignableRoles, can, roleLabel, rolesUpTo } from './roles'

describe('roles', () => {
  it('gives each role its own permission and every lower one', () => {
    expect(can('VIEWER', 'read')).toBe(true)
    expect(can('VIEWER', 'edit')).toBe(false)
    expect(can('EDITOR', 'edit')).toBe(true)
    expect(can('EDITOR', 'manage')).toBe(false)
    expect(can('ADMIN', 'manage')).toBe(true)
    expect(can('ADMIN', 'own')).toBe(false)
    expect(can('OWNER', 'own')).toBe(true)
    expect(can(undefined, 'read')).toBe(false)
  })

  it('offers a token or invitation no role above one’s own', () => {
    expect(rolesUpTo('EDITOR')).toEqual(['VIEWER', 'RUNNER', 'EDITOR'])
    expect(rolesUpTo('OWNER')).toHaveLength(5)
    expect(rolesUpTo(undefined)).toEqual([])
  })

  it('lets only owners make, unmake or change owners', () => {
    expect(assignableRoles('OWNER', 'OWNER')).toContain('OWNER')
    expect(assignableRoles('ADMIN', 'EDITOR')).toEqual(['VIEWER', 'RUNNER', 'EDITOR', 'ADMIN'])
    expect(assignableRoles('ADMIN', 'OWNER')).toEqual([])
    expect(assignableRoles('EDITOR', 'VIEWER')).toEqual([])
  })

  it('writes a role as a word', () => {
    expect(roleLabel('ADMIN')).toBe('Admin')
  })
})
