import { useMutation, useQuery } from '@apollo/client/react'
import { App, Button, Flex, Typography } from 'antd'
import { useMemo, useState } from 'react'
import { useNavigate, useParams } from 'react-router'
import { LoadError } from '../../../components/LoadError'
import { CollectionsDocument, DeleteCollectionDocument } from '../../../gql/graphql'
import { useCurrentWorkspace } from '../../settings/hooks/useWorkspaceRole'
import { can } from '../../settings/roles'
import { isBusy } from '../knowledge'
import { CollectionsTable, type CollectionRow } from './CollectionsTable'
import { CreateCollectionModal } from './CreateCollectionModal'
import '../knowledge.css'

/** How often the listing is read again while a collection ingests or re-embeds. */
const BUSY_POLL_MS = 3000

/** The workspace's knowledge collections: list, create, delete; each name opens the collection. */
export default function KnowledgePage() {
  const { message } = App.useApp()
  const { workspace = '' } = useParams()
  const navigate = useNavigate()
  const canEdit = can(useCurrentWorkspace()?.role, 'edit')
  const [busy, setBusy] = useState(false)
  // while something ingests or re-embeds, the listing is read again so stats and states follow it
  const { data, loading, error, refetch } = useQuery(CollectionsDocument, {
    pollInterval: busy ? BUSY_POLL_MS : 0,
    notifyOnNetworkStatusChange: false,
  })
  const collections = useMemo(() => data?.collections ?? [], [data])
  const nowBusy = collections.some(isBusy)
  if (nowBusy !== busy) setBusy(nowBusy)
  const [creating, setCreating] = useState(false)
  const [busyId, setBusyId] = useState<string | null>(null)
  const [remove] = useMutation(DeleteCollectionDocument, {
    refetchQueries: [{ query: CollectionsDocument }],
    awaitRefetchQueries: true,
  })

  async function deleteCollection(collection: CollectionRow) {
    setBusyId(collection.id)
    try {
      const { data: answer } = await remove({ variables: { id: collection.id } })
      if (answer?.deleteCollection.__typename === 'DeletedCollection') void message.success(`Deleted “${collection.name}”.`)
      else void message.error(`“${collection.name}” was already gone.`)
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setBusyId(null)
    }
  }

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <div>
          <Typography.Title level={2} style={{ margin: 0 }}>
            Knowledge
          </Typography.Title>
          <Typography.Text type="secondary">
            Collections of documents, split into chunks and embedded, for workflows and people to search.
          </Typography.Text>
        </div>
        {canEdit ? (
          <Button type="primary" onClick={() => setCreating(true)}>
            New collection
          </Button>
        ) : null}
      </Flex>
      {error ? <LoadError what="The collections" error={error} onRetry={() => void refetch()} /> : null}
      <CollectionsTable
        workspace={workspace}
        collections={collections}
        loading={loading}
        canEdit={canEdit}
        busyId={busyId}
        onDelete={(collection) => void deleteCollection(collection)}
        emptyText={error ? 'Nothing to show.' : canEdit ? 'No collections yet. Create one, then add documents to it.' : 'No collections yet.'}
      />
      {creating ? (
        <CreateCollectionModal
          onClose={() => setCreating(false)}
          onCreated={(collection) => {
            setCreating(false)
            void message.success(`Created “${collection.name}”.`)
            void navigate(`/w/${workspace}/knowledge/${collection.id}`)
          }}
        />
      ) : null}
    </Flex>
  )
}
