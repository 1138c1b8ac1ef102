import { useMutation, useQuery } from '@apollo/client/react'
import { Alert, App, Breadcrumb, Button, Card, Flex, Result, Spin } from 'antd'
import { useCallback, useEffect, useMemo, useReducer, useState } from 'react'
import { Link, useParams } from 'react-router'
import { LoadError } from '../../../components/LoadError'
import {
  CollectionDocument,
  DeleteDocumentDocument,
  KnowledgeCollectionHeaderDocument,
  ReindexCollectionDocument,
} from '../../../gql/graphql'
import { useCurrentWorkspace } from '../../settings/hooks/useWorkspaceRole'
import { can } from '../../settings/roles'
import { DOCUMENTS_PAGE } from '../constants'
import { useDocumentProgress } from '../hooks/useDocumentProgress'
import { useUpload } from '../hooks/useUpload'
import { appendDocuments, sentence } from '../knowledge'
import { documentRows, INITIAL_PROGRESS, progressReducer, type DocumentRow, type KnownDocument } from '../progress'
import { AddTextModal } from './AddTextModal'
import { ChangeModelModal } from './ChangeModelModal'
import { CollectionHeader } from './CollectionHeader'
import { DocumentsTable } from './DocumentsTable'
import { SearchPlayground } from './SearchPlayground'
import '../knowledge.css'
import { UploadArea } from './UploadArea'

/** How often the header is read again while the collection re-embeds (no subscription reports it). */
const REINDEX_POLL_MS = 2000

function CollectionView({ workspace, collectionId }: { workspace: string; collectionId: string }) {
  const { message } = App.useApp()
  const canEdit = can(useCurrentWorkspace()?.role, 'edit')
  const [reembedding, setReembedding] = useState(false)
  const header = useQuery(KnowledgeCollectionHeaderDocument, {
    variables: { id: collectionId },
    pollInterval: reembedding ? REINDEX_POLL_MS : 0,
    notifyOnNetworkStatusChange: false,
  })
  const collection = header.data?.collection
  if ((collection?.reindexing ?? false) !== reembedding) setReembedding(collection?.reindexing ?? false)
  const listing = useQuery(CollectionDocument, {
    variables: { id: collectionId, first: DOCUMENTS_PAGE },
    notifyOnNetworkStatusChange: false,
  })
  const [progress, dispatch] = useReducer(progressReducer, INITIAL_PROGRESS)
  const [addingText, setAddingText] = useState(false)
  const [changingModel, setChangingModel] = useState(false)
  const [busyId, setBusyId] = useState<string | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const [removeDocument] = useMutation(DeleteDocumentDocument)
  const [reindex, { loading: reindexing }] = useMutation(ReindexCollectionDocument)

  const { refetch: refetchHeader } = header
  const { refetch: refetchListing } = listing
  const added = useCallback(
    (documents: readonly KnownDocument[]) => {
      dispatch({ type: 'added', documents })
      void refetchHeader()
    },
    [refetchHeader],
  )
  const { upload, uploading, report, dismiss } = useUpload(collectionId, added)
  const reconnected = useCallback(() => {
    void refetchHeader()
    void refetchListing()
  }, [refetchHeader, refetchListing])
  const live = useDocumentProgress(collectionId, dispatch, reconnected)

  // a document reached READY or FAILED: the counts in the header changed
  useEffect(() => {
    if (progress.settled > 0) void refetchHeader()
  }, [progress.settled, refetchHeader])

  const loaded = useMemo(() => listing.data?.collection?.documents.edges.map((edge) => edge.node) ?? [], [listing.data])
  const rows = useMemo(() => documentRows(loaded, progress), [loaded, progress])
  const pageInfo = listing.data?.collection?.documents.pageInfo

  async function loadMore() {
    if (!pageInfo?.endCursor) return
    setLoadingMore(true)
    try {
      await listing.fetchMore({
        variables: { after: pageInfo.endCursor },
        updateQuery: (previous, { fetchMoreResult }) => appendDocuments(previous, fetchMoreResult),
      })
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setLoadingMore(false)
    }
  }

  async function deleteDocument(row: DocumentRow) {
    setBusyId(row.id)
    try {
      const { data } = await removeDocument({ variables: { id: row.id } })
      if (data?.deleteDocument.__typename === 'DeletedDocument') void message.success(`Deleted “${row.name}”.`)
      else void message.error(`“${row.name}” was already gone.`)
      dispatch({ type: 'removed', id: row.id })
      void refetchHeader()
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setBusyId(null)
    }
  }

  async function startReindex() {
    try {
      const { data } = await reindex({ variables: { id: collectionId } })
      if (data?.reindexCollection.__typename === 'Collection') void message.success('Reindexing in the background.')
      else void message.error(sentence(data?.reindexCollection.message ?? 'The server gave no answer.'))
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    }
  }

  const breadcrumb = (
    <Breadcrumb
      items={[{ title: <Link to={`/w/${workspace}/knowledge`}>Knowledge</Link> }, { title: collection?.name ?? 'Collection' }]}
    />
  )
  if (header.error) {
    return (
      <Flex vertical gap={16}>
        {breadcrumb}
        <LoadError what="The collection" error={header.error} onRetry={() => void refetchHeader()} />
      </Flex>
    )
  }
  if (header.loading && !collection) return <Spin description="Loading the collection" />
  if (!collection) {
    return (
      <Result
        status="404"
        title="No such collection"
        subTitle="It was deleted, or it belongs to another workspace."
        extra={<Link to={`/w/${workspace}/knowledge`}>Back to Knowledge</Link>}
      />
    )
  }

  return (
    <Flex vertical gap={16}>
      {breadcrumb}
      <CollectionHeader
        collection={collection}
        canEdit={canEdit}
        reindexing={reindexing}
        onChangeModel={() => setChangingModel(true)}
        onReindex={() => void startReindex()}
      />
      <Card
        title="Documents"
        extra={canEdit ? <Button onClick={() => setAddingText(true)}>Add text</Button> : null}
      >
        <Flex vertical gap={16}>
          {canEdit ? <UploadArea uploading={uploading} report={report} onUpload={upload} onDismiss={dismiss} /> : null}
          {live.error ? (
            <Alert type="warning" showIcon title="Live progress stopped" description={`${live.error} Reload the page to see where ingestion is.`} />
          ) : null}
          {listing.error ? <LoadError what="The documents" error={listing.error} onRetry={() => void refetchListing()} /> : null}
          <DocumentsTable
            rows={rows}
            loading={listing.loading}
            canEdit={canEdit}
            busyId={busyId}
            onDelete={(row) => void deleteDocument(row)}
            emptyText={canEdit ? 'No documents yet. Upload files or add a text.' : 'No documents yet.'}
          />
          {pageInfo?.hasNextPage ? (
            <Flex justify="center">
              <Button loading={loadingMore} onClick={() => void loadMore()}>
                Load more
              </Button>
            </Flex>
          ) : null}
        </Flex>
      </Card>
      <Card title="Search">
        <SearchPlayground collectionId={collectionId} />
      </Card>
      {addingText ? (
        <AddTextModal
          collectionId={collectionId}
          onClose={() => setAddingText(false)}
          onAdded={(documents) => {
            setAddingText(false)
            added(documents)
            void message.success('Text added; ingesting…')
          }}
        />
      ) : null}
      {changingModel ? (
        <ChangeModelModal
          collection={collection}
          onClose={() => setChangingModel(false)}
          onChanged={(changed) => {
            setChangingModel(false)
            void message.success(`Re-embedding with ${changed.nextModel ?? changed.model} in the background.`)
          }}
        />
      ) : null}
    </Flex>
  )
}

/** One collection: its header and stats, documents kept live while ingested, uploads, and a search playground. */
export default function CollectionPage() {
  const { workspace = '', collectionId = '' } = useParams()
  // another collection starts with a fresh progress state
  return <CollectionView key={collectionId} workspace={workspace} collectionId={collectionId} />
}
