import { useMutation, useQuery } from '@apollo/client/react'
import { App, Button, Flex, Popconfirm, Select, Table, Typography, type TableColumnsType } from 'antd'
import { useNavigate } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { DateTime } from '../../../components/DateTime'
import { LoadError } from '../../../components/LoadError'
import {
  ChangeMemberRoleDocument,
  LeaveWorkspaceDocument,
  MembersDocument,
  RemoveMemberDocument,
  type MemberFieldsFragment,
  type Role,
} from '../../../gql/graphql'
import { useCurrentWorkspace } from '../hooks/useWorkspaceRole'
import { failureText, refusalText } from '../problems'
import { assignableRoles, can, roleLabel } from '../roles'
import { InvitesSection } from './InvitesSection'

const MEMBERS = [{ query: MembersDocument }]

/** The workspace's members; admins change roles, remove people and invite; anyone may leave. */
export function MembersTab() {
  const { message } = App.useApp()
  const { session, refresh } = useSession()
  const navigate = useNavigate()
  const workspace = useCurrentWorkspace()
  const { data, loading, error, refetch } = useQuery(MembersDocument)
  const [changeRole] = useMutation(ChangeMemberRoleDocument, {
    refetchQueries: (result) => (result.data?.changeMemberRole.__typename === 'Member' ? MEMBERS : []),
  })
  const [removeMember] = useMutation(RemoveMemberDocument, {
    refetchQueries: (result) => (result.data?.removeMember.__typename === 'RemovedMember' ? MEMBERS : []),
  })
  const [leave, { loading: leaving }] = useMutation(LeaveWorkspaceDocument)
  const own = workspace?.role
  const manage = can(own, 'manage')

  async function setRole(member: MemberFieldsFragment, role: Role) {
    try {
      const { data: answer } = await changeRole({ variables: { userId: member.userId, role } })
      const result = answer?.changeMemberRole
      if (result?.__typename === 'Member') void message.success(`${result.email} is now ${roleLabel(result.role).toLowerCase()}.`)
      else void message.error(refusalText(result, 'The server gave no answer.'))
    } catch (failure) {
      void message.error(failureText(failure))
    }
  }

  async function remove(member: MemberFieldsFragment) {
    try {
      const { data: answer } = await removeMember({ variables: { userId: member.userId } })
      const result = answer?.removeMember
      if (result?.__typename === 'RemovedMember') void message.success(`Removed ${result.email}.`)
      else void message.error(refusalText(result, 'The server gave no answer.'))
    } catch (failure) {
      void message.error(failureText(failure))
    }
  }

  async function leaveWorkspace() {
    try {
      const { data: answer } = await leave()
      const result = answer?.leaveWorkspace
      if (result?.__typename !== 'RemovedMember') {
        void message.error(refusalText(result, 'The server gave no answer.'))
        return
      }
      void message.success(`You left “${workspace?.name ?? ''}”.`)
      // leave first, then forget it: the page never shows the workspace it just left as missing
      const next = session?.workspaces.find((item) => item.slug !== workspace?.slug)
      await navigate(next ? `/w/${next.slug}/workflows` : '/account')
      refresh().catch(() => void message.warning('Reload the page to see your workspaces as they are now.'))
    } catch (failure) {
      void message.error(failureText(failure))
    }
  }

  const columns: TableColumnsType<MemberFieldsFragment> = [
    { title: 'Name', dataIndex: 'displayName', render: (name: string) => name || '—' },
    { title: 'Email', dataIndex: 'email' },
    {
      title: 'Role',
      dataIndex: 'role',
      width: 170,
      render: (role: Role, member) => {
        const choices = member.userId === session?.user.id ? [] : assignableRoles(own, role)
        if (!manage || choices.length === 0) return roleLabel(role)
        return (
          <Select<Role>
            aria-label={`Role of ${member.email}`}
            value={role}
            className="settings-role-select"
            options={choices.map((choice) => ({ value: choice, label: roleLabel(choice) }))}
            onChange={(next) => void setRole(member, next)}
          />
        )
      },
    },
    { title: 'Joined', dataIndex: 'joinedAt', width: 160, render: (value: string) => <DateTime value={value} /> },
    ...(manage
      ? [
          {
            title: 'Actions',
            key: 'actions',
            width: 120,
            render: (_: unknown, member: MemberFieldsFragment) =>
              member.userId === session?.user.id || assignableRoles(own, member.role).length === 0 ? null : (
                <Popconfirm
                  title={`Remove ${member.email}?`}
                  description="They lose access to this workspace at once."
                  okText="Remove"
                  okButtonProps={{ danger: true }}
                  cancelText="Keep"
                  onConfirm={() => void remove(member)}
                >
                  <Button size="small" danger aria-label={`Remove ${member.email}`}>
                    Remove
                  </Button>
                </Popconfirm>
              ),
          },
        ]
      : []),
  ]

  return (
    <Flex vertical gap={16} className="settings-tab">
      {error ? <LoadError what="The members" error={error} onRetry={() => void refetch()} /> : null}
      <Table<MemberFieldsFragment>
        aria-label="Members"
        rowKey="userId"
        columns={columns}
        dataSource={data?.members}
        loading={loading}
        pagination={false}
        locale={{ emptyText: error ? 'Nothing to show.' : 'No members.' }}
      />
      <Flex justify="end">
        <Popconfirm
          title="Leave this workspace?"
          description="You lose access until someone invites you again."
          okText="Leave"
          okButtonProps={{ danger: true }}
          cancelText="Stay"
          onConfirm={() => void leaveWorkspace()}
        >
          <Button loading={leaving}>Leave workspace</Button>
        </Popconfirm>
      </Flex>
      {manage ? <InvitesSection own={own} /> : null}
      {!manage ? (
        <Typography.Text type="secondary">Admins and owners invite people and change roles.</Typography.Text>
      ) : null}
    </Flex>
  )
}
