import { useMutation, useQuery } from '@apollo/client/react'
import { Alert, App, Button, Flex, Input, Typography } from 'antd'
import { useMemo, useRef, useState, type ChangeEvent } from 'react'
import { useParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { DeleteWorkflowDocument, WorkflowsDocument, type Role, type WorkflowFieldsFragment } from '../../../gql/graphql'
import { WORKFLOWS_PAGE } from '../constants'
import { downloadDefinition, readDefinitionFile, type ImportedDefinition } from '../definitionFile'
import { CreateWorkflowModal } from './CreateWorkflowModal'
import { WorkflowsTable } from './WorkflowsTable'

const EDITORS: readonly Role[] = ['EDITOR', 'ADMIN', 'OWNER']

/** The workspace's workflows: search, create, import, export and delete. */
export function WorkflowsPage() {
  const { message } = App.useApp()
  const { session } = useSession()
  const { workspace } = useParams()
  const role = session?.workspaces.find((item) => item.slug === workspace)?.role
  const canEdit = role !== undefined && EDITORS.includes(role)
  const { data, loading, error, refetch } = useQuery(WorkflowsDocument, { variables: { first: WORKFLOWS_PAGE } })
  const [remove] = useMutation(DeleteWorkflowDocument, {
    refetchQueries: [{ query: WorkflowsDocument, variables: { first: WORKFLOWS_PAGE } }],
    awaitRefetchQueries: true,
  })
  const [search, setSearch] = useState('')
  const [modal, setModal] = useState<{ initial: ImportedDefinition | null } | null>(null)
  const [deletingId, setDeletingId] = useState<string | null>(null)
  const fileInput = useRef<HTMLInputElement>(null)

  const workflows = useMemo(() => data?.workflows.edges.map((edge) => edge.node) ?? [], [data])
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase()
    return needle ? workflows.filter((workflow) => workflow.name.toLowerCase().includes(needle)) : workflows
  }, [workflows, search])

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

  async function deleteWorkflow(workflow: WorkflowFieldsFragment) {
    setDeletingId(workflow.id)
    try {
      const { data: answer } = await remove({ variables: { id: workflow.id } })
      if (answer?.deleteWorkflow.__typename === 'DeletedWorkflow') void message.success(`Deleted “${workflow.name}”.`)
      else void message.error(`“${workflow.name}” was already gone.`)
    } catch (failure) {
      void message.error(failure instanceof Error ? failure.message : String(failure))
    } finally {
      setDeletingId(null)
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
      {error ? (
        <Alert
          type="error"
          role="alert"
          title="The workflows could not be loaded"
          description={error.message}
          action={<Button onClick={() => void refetch()}>Try again</Button>}
        />
      ) : null}
      {data?.workflows.pageInfo.hasNextPage ? (
        <Alert type="info" title={`Showing the first ${WORKFLOWS_PAGE} workflows.`} />
      ) : null}
      <WorkflowsTable
        workflows={shown}
        loading={loading}
        canEdit={canEdit}
        deletingId={deletingId}
        onExport={(workflow) => downloadDefinition(workflow.name, workflow.definition)}
        onDelete={(workflow) => void deleteWorkflow(workflow)}
        emptyText={error ? 'Nothing to show.' : emptyText}
      />
      {modal ? (
        <CreateWorkflowModal
          initial={modal.initial}
          onClose={() => setModal(null)}
          onCreated={(workflow) => {
            setModal(null)
            void message.success(`Created “${workflow.name}”.`)
          }}
        />
      ) : null}
    </Flex>
  )
}
