// The workflow editor: palette, canvas, node panel, problems and toolbar, over one definition held in
// an undo history. The canvas mirrors the definition (useFlowElements); every edit goes through `apply`.
import { useMutation } from '@apollo/client/react'
import { useReactFlow, type Connection, type OnSelectionChangeParams } from '@xyflow/react'
import { Alert, App, Button, Badge, Empty, List, Space, Spin, Tooltip, Typography } from 'antd'
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react'
import { useNavigate } from 'react-router'
import { UpdateWorkflowDocument, type EditorWorkflowQuery } from '../../../gql/graphql'
import { defaultParams } from '../defaults'
import {
  autoLayout,
  connect,
  FIT_VIEW_OPTIONS,
  nextNodeId,
  parseDefinition,
  pasteNodes,
  removeElements,
  updateNode,
  withPositions,
  type DefEdge,
  type DefNode,
  type Definition,
  type FlowEdge,
  type FlowNode,
} from '../flow'
import { canRedo, canUndo, commit, createHistory, redo, undo, type History } from '../history'
import { useValidation } from '../hooks/useValidation'
import { placeProblem, problemCounts, type ProblemLike } from '../problems'
import { Canvas } from './Canvas'
import { NodePanel } from './NodePanel'
import { DRAG_TYPE, Palette, type NodeKind } from './Palette'
import { ShortcutsDialog } from './ShortcutsDialog'
import { WorkflowName } from './WorkflowName'

const VersionHistory = lazy(() => import('./VersionHistory'))
const RunDialog = lazy(() => import('./RunDialog'))
const TriggersDrawer = lazy(() => import('../../triggers/components/TriggersDrawer'))

type Workflow = NonNullable<EditorWorkflowQuery['workflow']>

function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.getAttribute('role') === 'combobox'
}

export interface EditorProps {
  workflow: Workflow
  kinds: NodeKind[]
  workspace: string
  canEdit: boolean
  canRun: boolean
}

export function Editor({ workflow, kinds, workspace, canEdit, canRun }: EditorProps) {
  const { message } = App.useApp()
  const navigate = useNavigate()
  const flow = useReactFlow<FlowNode, FlowEdge>()
  const canvas = useRef<HTMLDivElement>(null)
  const [history, setHistory] = useState<History<Definition>>(() => createHistory(withPositions(parseDefinition(workflow.definition))))
  const definition = history.present
  const [saved, setSaved] = useState({ definition, version: workflow.version })
  const dirty = definition !== saved.definition
  const [selection, setSelection] = useState<ReadonlySet<string>>(() => new Set())
  const [refusal, setRefusal] = useState<{ definition: Definition; problems: ProblemLike[] } | null>(null)
  // the server's refusal of a save holds until the next edit
  const saveProblems = refusal?.definition === definition ? refusal.problems : null
  const [historyOpen, setHistoryOpen] = useState(false)
  const [triggersOpen, setTriggersOpen] = useState(false)
  const [runOpen, setRunOpen] = useState(false)
  const [helpOpen, setHelpOpen] = useState(false)
  const clipboard = useRef<{ nodes: DefNode[]; edges: DefEdge[] } | null>(null)
  const [saveWorkflow, saving] = useMutation(UpdateWorkflowDocument)
  const { problems, checking, failed } = useValidation(definition)

  const titles = useMemo(() => new Map(kinds.map((kind) => [kind.kind, kind.title])), [kinds])
  const kindsByName = useMemo(() => new Map(kinds.map((kind) => [kind.kind, kind])), [kinds])
  const placed = useMemo(() => problems.map((problem) => placeProblem(problem, definition)), [problems, definition])
  const counts = useMemo(() => problemCounts(placed), [placed])
  const selectedId = selection.size === 1 ? [...selection][0] : null
  const selectedNode = selectedId ? definition.nodes.find((node) => node.id === selectedId) : undefined

  const apply = useCallback((update: (current: Definition) => Definition, key: string | null = null) => {
    setHistory((current) => commit(current, update(current.present), key))
  }, [])

  const select = useCallback((ids: string[]) => setSelection(new Set(ids)), [])

  const addNode = useCallback(
    (kindName: string, at?: { x: number; y: number }) => {
      const kind = kindsByName.get(kindName)
      if (!kind || !canEdit) return
      let position = at
      if (!position) {
        const box = canvas.current?.getBoundingClientRect()
        const centre = box ? { x: box.left + box.width / 2, y: box.top + box.height / 2 } : { x: 0, y: 0 }
        position = flow.screenToFlowPosition(centre)
      }
      const place = { x: Math.round(position.x - 90), y: Math.round(position.y - 30) }
      let id = ''
      setHistory((current) => {
        id = nextNodeId(kindName, current.present.nodes.map((node) => node.id))
        const node: DefNode = { id, type: kindName, params: defaultParams(kind.paramsSchema), position: place }
        return commit(current, { ...current.present, nodes: [...current.present.nodes, node] })
      })
      // the new node is the one the panel shows
      window.setTimeout(() => select([id]), 0)
    },
    [kindsByName, canEdit, flow, select],
  )

  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault()
      const kind = event.dataTransfer.getData(DRAG_TYPE)
      if (kind) addNode(kind, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }))
    },
    [addNode, flow],
  )
  const onDragOver = useCallback((event: DragEvent) => {
    event.preventDefault()
    event.dataTransfer.dropEffect = 'move'
  }, [])

  const onConnect = useCallback((connection: Connection) => apply((current) => connect(current, connection)), [apply])
  const onSelectionChange = useCallback(
    ({ nodes: chosen }: OnSelectionChangeParams<FlowNode, FlowEdge>) => {
      setSelection((current) => {
        const next = new Set(chosen.map((node) => node.id))
        return next.size === current.size && [...next].every((id) => current.has(id)) ? current : next
      })
    },
    [],
  )
  const onNodeDragStop = useCallback(
    (_event: unknown, _node: FlowNode, dragged: FlowNode[]) => {
      const moved = new Map(dragged.map((node) => [node.id, { x: Math.round(node.position.x), y: Math.round(node.position.y) }]))
      apply((current) => ({
        ...current,
        nodes: current.nodes.map((node) => {
          const position = moved.get(node.id)
          return position && (position.x !== node.position?.x || position.y !== node.position?.y) ? { ...node, position } : node
        }),
      }))
    },
    [apply],
  )
  const onDelete = useCallback(
    ({ nodes: goneNodes, edges: goneEdges }: { nodes: FlowNode[]; edges: FlowEdge[] }) => {
      apply((current) =>
        removeElements(
          current,
          goneNodes.map((node) => node.id),
          goneEdges.map((edge) => current.edges.findIndex((item) => item === edge.data?.edge)).filter((index) => index >= 0),
        ),
      )
    },
    [apply],
  )
  const onNodeChange = useCallback(
    (node: DefNode, key: string) => {
      apply((current) => {
        const old = current.nodes.find((item) => item.id === node.id)
        const next = clean(node)
        if (old && JSON.stringify(old) === JSON.stringify(next)) return current
        return updateNode(current, node.id, () => next)
      }, `${node.id}:${key}`)
    },
    [apply],
  )

  const copy = useCallback(() => {
    const chosen = definition.nodes.filter((node) => selection.has(node.id))
    if (!chosen.length) return
    clipboard.current = { nodes: chosen, edges: definition.edges.filter((edge) => selection.has(edge.from) && selection.has(edge.to)) }
    message.info(`Copied ${chosen.length} node${chosen.length === 1 ? '' : 's'}`)
  }, [definition, selection, message])
  const paste = useCallback(() => {
    const copied = clipboard.current
    if (!copied || !canEdit) return
    let ids: string[] = []
    setHistory((current) => {
      const result = pasteNodes(current.present, copied.nodes, copied.edges)
      ids = result.ids
      return commit(current, result.definition)
    })
    window.setTimeout(() => select(ids), 0)
  }, [canEdit, select])

  const doUndo = useCallback(() => setHistory(undo), [])
  const doRedo = useCallback(() => setHistory(redo), [])
  const layout = useCallback(() => {
    apply(autoLayout)
    window.setTimeout(() => void flow.fitView(FIT_VIEW_OPTIONS), 50)
  }, [apply, flow])

  async function save() {
    const result = await saveWorkflow({
      variables: { id: workflow.id, input: { definition, expectedVersion: saved.version } },
    }).catch((error: unknown) => {
      message.error(`Not saved: ${error instanceof Error ? error.message : String(error)}`)
      return null
    })
    const answer = result?.data?.updateWorkflow
    if (!answer) return
    switch (answer.__typename) {
      case 'Workflow':
        setSaved({ definition, version: answer.version })
        setRefusal(null)
        message.success(`Saved as version ${answer.version}`)
        break
      case 'InvalidWorkflow':
        setRefusal({ definition, problems: answer.problems })
        break
      case 'VersionConflict':
        message.error(`Not saved: someone saved version ${answer.currentVersion} meanwhile (you edited version ${answer.expectedVersion}). Reload to see it.`)
        break
      case 'NotFound':
        message.error(`Not saved: ${answer.message}`)
        break
    }
  }

  // keyboard: undo/redo, copy/paste, help (delete is React Flow's own, with DELETE_KEYS)
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (isTyping(event.target)) return
      const mod = event.ctrlKey || event.metaKey
      const key = event.key.toLowerCase()
      if (mod && key === 'z' && !event.shiftKey && canEdit) {
        event.preventDefault()
        doUndo()
      } else if (mod && ((key === 'z' && event.shiftKey) || key === 'y') && canEdit) {
        event.preventDefault()
        doRedo()
      } else if (mod && key === 'c') {
        copy()
      } else if (mod && key === 'v' && canEdit) {
        event.preventDefault()
        paste()
      } else if (mod && key === 's' && canEdit) {
        event.preventDefault()
        void save()
      } else if (event.key === '?') {
        setHelpOpen(true)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  })

  // warn before leaving with unsaved changes (reload, closing the tab, links out of the editor)
  useEffect(() => {
    if (!dirty) return
    function beforeUnload(event: BeforeUnloadEvent) {
      event.preventDefault()
    }
    function onClick(event: MouseEvent) {
      const link = event.target instanceof Element ? event.target.closest('a[href]') : null
      if (link && !window.confirm('You have unsaved changes. Leave the editor and lose them?')) {
        event.preventDefault()
        event.stopPropagation()
      }
    }
    window.addEventListener('beforeunload', beforeUnload)
    document.addEventListener('click', onClick, true)
    return () => {
      window.removeEventListener('beforeunload', beforeUnload)
      document.removeEventListener('click', onClick, true)
    }
  }, [dirty])

  const focusProblemNode = useCallback(
    (nodeId: string | null) => {
      if (!nodeId) return
      select([nodeId])
      const node = flow.getNode(nodeId)
      if (node) void flow.setCenter(node.position.x + 90, node.position.y + 30, { zoom: flow.getZoom(), duration: 200 })
    },
    [flow, select],
  )

  const shownProblems = saveProblems ? saveProblems.map((problem) => placeProblem(problem, definition)) : placed
  const readOnly = !canEdit

  return (
    <div className="editor">
      <div className="editor-toolbar" role="toolbar" aria-label="Editor toolbar">
        <WorkflowName workflowId={workflow.id} name={workflow.name} editable={canEdit} />
        <Typography.Text type="secondary" aria-live="polite">
          version {saved.version}
          {dirty ? ' · unsaved changes' : ''}
          {readOnly ? ' · read-only' : ''}
        </Typography.Text>
        <Space wrap className="editor-toolbar-actions">
          {canEdit && (
            <Button type="primary" onClick={() => void save()} loading={saving.loading} disabled={!dirty}>
              Save
            </Button>
          )}
          {canEdit && (
            <>
              <Button onClick={doUndo} disabled={!canUndo(history)}>
                Undo
              </Button>
              <Button onClick={doRedo} disabled={!canRedo(history)}>
                Redo
              </Button>
              <Button onClick={layout}>Auto-layout</Button>
            </>
          )}
          <Button onClick={() => void flow.fitView(FIT_VIEW_OPTIONS)}>Fit view</Button>
          <Button onClick={() => setHistoryOpen(true)}>Versions</Button>
          <Button onClick={() => setTriggersOpen(true)}>Triggers</Button>
          <Button onClick={() => setHelpOpen(true)}>Shortcuts</Button>
          {canRun && (
            <Button type={canEdit ? 'default' : 'primary'} onClick={() => setRunOpen(true)}>
              Run
            </Button>
          )}
        </Space>
      </div>
      <div className="editor-body">
        <Palette kinds={kinds} disabled={readOnly} onAdd={addNode} />
        <div className="editor-canvas" ref={canvas} onDrop={onDrop} onDragOver={onDragOver}>
          <Canvas
            definition={definition}
            titles={titles}
            problems={counts}
            selection={selection}
            canEdit={canEdit}
            onConnect={onConnect}
            onSelectionChange={onSelectionChange}
            onNodeDragStop={onNodeDragStop}
            onDelete={onDelete}
          />
          {definition.nodes.length === 0 && (
            <div className="editor-empty">
              <Empty description={canEdit ? 'An empty workflow: drag a node from the palette, or press one to add it.' : 'This workflow has no nodes.'} />
            </div>
          )}
        </div>
        <div className="editor-side">
          {selectedNode ? (
            <NodePanel
              node={selectedNode}
              kind={kindsByName.get(selectedNode.type)}
              definition={definition}
              placed={placed}
              readOnly={readOnly}
              workflowId={workflow.id}
              canTest={canRun}
              onChange={onNodeChange}
            />
          ) : (
            <Typography.Paragraph type="secondary" className="editor-panel-hint">
              Select a node to edit its settings and parameters.
            </Typography.Paragraph>
          )}
          <section className="editor-problems" aria-label="Problems">
            <Typography.Text strong className="editor-section-title">
              Problems <Badge count={shownProblems.length} showZero color={shownProblems.length ? 'red' : 'green'} />
              {checking && <Spin size="small" className="editor-checking" aria-label="Checking" />}
            </Typography.Text>
            {failed && <Alert type="warning" showIcon title="Could not check the workflow; retrying on the next edit." />}
            {saveProblems && <Alert type="error" showIcon title="Not saved: the server refused the definition." />}
            {shownProblems.length === 0 ? (
              <Typography.Text type="secondary">No problems.</Typography.Text>
            ) : (
              <List
                size="small"
                dataSource={shownProblems}
                renderItem={(item, index) => (
                  <List.Item key={`${index}:${item.problem.path ?? ''}`}>
                    <Tooltip title={item.problem.path}>
                      <Button type="link" size="small" className="editor-problem" onClick={() => focusProblemNode(item.nodeId)}>
                        {item.nodeId ? <strong>{item.nodeId}: </strong> : null}
                        {item.problem.message}
                      </Button>
                    </Tooltip>
                  </List.Item>
                )}
              />
            )}
          </section>
        </div>
      </div>
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <Suspense fallback={null}>
        {historyOpen && (
          <VersionHistory
            workflowId={workflow.id}
            current={saved.version}
            canRestore={canEdit}
            onClose={() => setHistoryOpen(false)}
            onRestore={(restored, version) => {
              apply(() => withPositions(parseDefinition(restored)))
              setHistoryOpen(false)
              message.info(`Restored version ${version}; save to keep it.`)
            }}
          />
        )}
        {triggersOpen && <TriggersDrawer workflowId={workflow.id} canEdit={canEdit} onClose={() => setTriggersOpen(false)} />}
        {runOpen && (
          <RunDialog
            workflowId={workflow.id}
            definition={definition}
            dirty={dirty}
            onClose={() => setRunOpen(false)}
            onStarted={(runId) => void navigate(`/w/${workspace}/runs/${runId}`)}
          />
        )}
      </Suspense>
    </div>
  )
}
