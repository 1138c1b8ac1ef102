import { useMutation, useQuery } from '@apollo/client/react'
import { Alert, App, Button, Flex, Input, Typography } from 'antd'
import { useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react'
import { useNavigate, useParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { LoadError } from '../../../components/LoadError'
import {
  CreateWorkflowDocument,
  DeleteWorkflowDocument,
  WorkflowsTableDocument,
  WorkflowsTableRunUpdatesDocument,
  type Role,
  type WorkflowRowFieldsFragment,
} from '../../../gql/graphql'
import { WORKFLOWS_PAGE } from '../constants'
import { downloadDefinition, readDefinitionFile, type ImportedDefinition } from '../definitionFile'
import { problemPlace, sentence } from '../problems'
import { appendPage, applyRunUpdate, duplicateName } from '../workflowsList'
import { CreateWorkflowModal } from './CreateWorkflowModal'
import { WorkflowsTable } from './WorkflowsTable'

const EDITORS: readonly Role[] = ['EDITOR', 'ADMIN', 'OWNER']
const FIRST_PAGE = [{ query: WorkflowsTableDocument, variables: { first: WORKFLOWS_PAGE } }]

/** The workspace's workflows: search, create, import, export, duplicate and delete; last runs kept live. */
export function WorkflowsPage() {
  const { message } = App.useApp()
  const { session } = useSession()
  const { workspace = '' } = useParams()
  const navigate = useNavigate()
  const role = session?.workspaces.find((item) => item.slug === workspace)?.role
  const canEdit = role !== undefined && EDITORS.includes(role)
  const { data, loading, error, refetch, fetchMore, subscribeToMore } = useQuery(WorkflowsTableDocument, {
    variables: { first: WORKFLOWS_PAGE },
  })
  const [remove] = useMutation(DeleteWorkflowDocument, { refetchQueries: FIRST_PAGE, awaitRefetchQueries: true })
  const [create] = useMutation(CreateWorkflowDocument)
  const [search, setSearch] = useState('')
  const [modal, setModal] = useState<{ initial: ImportedDefinition | null } | null>(null)
  const [busyId, setBusyId] = useState<string | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const fileInput = useRef<HTMLInputElement>(null)

  useEffect(
    () =>
      subscribeToMore({
        document: WorkflowsTableRunUpdatesDocument,
        // news that lands before the first page has nothing to update; the page itself is fresher
        updateQuery: (_, update) =>
          update.complete ? applyRunUpdate(update.previousData, update.subscriptionData.data.runUpdates) : undefined,
      }),
    [subscribeToMore],
  )

  const workflows = useMemo(() => data?.workflows.edges.map((edge) => edge.node) ?? [], [data])
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase()
    return needle ? workflows.filter((workflow) => workflow.name.toLowerCase().includes(needle)) : workflows
  }, [workflows, search])
  const pageInfo = data?.workflows.pageInfo

  async function loadMore() {
    if (!pageInfo?.endCursor) return
    setLoadingMore(true)
    try {
      await fetchMore({
        variables: { after: pageInfo.endCursor },
        updateQuery: (previous, { fetchMoreResult }) => appendPage(previous, fetchMoreResult),
      })
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setLoadingMore(false)
    }
  }

  async function importFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0]
    event.target.value = ''
    if (!file) return
    try {
      setModal({ initial: readDefinitionFile(file.name, await file.text()) })
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    }
  }

  async function duplicate(workflow: WorkflowRowFieldsFragment) {
    setBusyId(workflow.id)
    const name = duplicateName(workflow.name)
    try {
      const { data: answer } = await create({
        variables: { input: { name, definition: workflow.definition } },
        // only a created copy changes the list; a refused one leaves it as it was
        refetchQueries: (result) => (result.data?.createWorkflow.__typename === 'Workflow' ? FIRST_PAGE : []),
        awaitRefetchQueries: true,
      })
      const result = answer?.createWorkflow
      if (result?.__typename === 'Workflow') void message.success(`Created “${result.name}”.`)
      else if (result?.__typename === 'InvalidWorkflow') {
        const problems = result.problems.map((problem) => {
          const place = problemPlace(problem)
          return `${sentence(problem.message)}${place ? ` (${place})` : ''}`
        })
        void message.error(`“${workflow.name}” could not be duplicated: ${problems.join('; ')}`)
      } else void message.error('The server gave no answer.')
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setBusyId(null)
    }
  }

  async function deleteWorkflow(workflow: WorkflowRowFieldsFragment) {
    setBusyId(workflow.id)
    try {
      const { data: answer } = await remove({ variables: { id: workflow.id } })
      if (answer?.deleteWorkflow.__typename === 'DeletedWorkflow') void message.success(`Deleted “${workflow.name}”.`)
      else void message.error(`“${workflow.name}” was already gone.`)
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setBusyId(null)
    }
  }

  const emptyText = search.trim()
    ? `No workflow’s name contains “${search.trim()}”.`
    : canEdit
      ? 'No workflows yet. Create one, or import a JSON definition.'
      : 'No workflows yet.'

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          Workflows
        </Typography.Title>
        <Flex gap={8} wrap>
          <Input.Search
            aria-label="Search workflows"
            placeholder="Search by name"
            allowClear
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            style={{ width: 260 }}
          />
          {canEdit ? (
            <>
              <Button onClick={() => fileInput.current?.click()}>Import JSON</Button>
              <input
                ref={fileInput}
                type="file"
                accept="application/json,.json"
                aria-label="Workflow definition file"
                hidden
                onChange={(event) => void importFile(event)}
              />
              <Button type="primary" onClick={() => setModal({ initial: null })}>
                New workflow
              </Button>
            </>
          ) : null}
        </Flex>
      </Flex>
      {error ? <LoadError what="The workflows" error={error} onRetry={() => void refetch()} /> : null}
      {search.trim() && pageInfo?.hasNextPage ? (
        <Alert type="info" title="The search looks through the workflows loaded so far: load more to search further." />
      ) : null}
      <WorkflowsTable
        workspace={workspace}
        workflows={shown}
        loading={loading}
        canEdit={canEdit}
        busyId={busyId}
        onExport={(workflow) => downloadDefinition(workflow.name, workflow.definition)}
        onDuplicate={(workflow) => void duplicate(workflow)}
        onDelete={(workflow) => void deleteWorkflow(workflow)}
        emptyText={error ? 'Nothing to show.' : emptyText}
      />
      {pageInfo?.hasNextPage ? (
        <Flex justify="center">
          <Button loading={loadingMore} onClick={() => void loadMore()}>
            Load more
          </Button>
        </Flex>
      ) : null}
      {modal ? (
        <CreateWorkflowModal
          initial={modal.initial}
          onClose={() => setModal(null)}
          onCreated={(workflow) => {
            const blank = modal.initial === null
            setModal(null)
            void message.success(`Created “${workflow.name}”.`)
            // a new workflow is drawn next; an imported one stays in the list it joined
            if (blank) void navigate(`/w/${workspace}/workflows/${workflow.id}`)
          }}
        />
      ) : null}
    </Flex>
  )
}
