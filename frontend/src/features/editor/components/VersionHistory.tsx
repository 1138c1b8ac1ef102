// Every saved version with its date; restoring one loads it into the editor (unsaved until Save).
import { useQuery } from '@apollo/client/react'
import { Alert, Button, Drawer, List, Spin, Typography } from 'antd'
import { EditorVersionsDocument } from '../../../gql/graphql'

export default function VersionHistory({
  workflowId,
  current,
  canRestore,
  onClose,
  onRestore,
}: {
  workflowId: string
  current: number
  canRestore: boolean
  onClose: () => void
  onRestore: (definition: unknown, version: number) => void
}) {
  const { data, loading, error } = useQuery(EditorVersionsDocument, { variables: { id: workflowId }, fetchPolicy: 'network-only' })
  const versions = [...(data?.workflow?.versions ?? [])].sort((a, b) => b.version - a.version)
  return (
    <Drawer title="Version history" open onClose={onClose} size={360}>
      {loading && <Spin description="Loading versions" />}
      {error && <Alert type="error" showIcon title={`Could not load the versions: ${error.message}`} />}
      {!loading && !error && versions.length === 0 && <Typography.Text type="secondary">No versions saved.</Typography.Text>}
      <List
        dataSource={versions}
        renderItem={(item) => (
          <List.Item
            key={item.version}
            actions={
              canRestore
                ? [
                    <Button key="restore" size="small" onClick={() => onRestore(item.definition, item.version)} aria-label={`Restore version ${item.version}`}>
                      Restore
                    </Button>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              title={`Version ${item.version}${item.version === current ? ' (current)' : ''}`}
              description={new Date(item.createdAt).toLocaleString()}
            />
          </List.Item>
        )}
      />
    </Drawer>
  )
}
