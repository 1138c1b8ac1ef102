import { useMutation, useQuery } from '@apollo/client/react'
import { ReactFlowProvider } from '@xyflow/react'
import { Alert, App, Badge, Button, Descriptions, Flex, Popconfirm, Result, Skeleton, Splitter, Typography } from 'antd'
import { memo, useCallback, useMemo, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import {
  CancelRunDocument,
  RerunFromNodeDocument,
  RetryRunDocument,
  RunviewRunDocument,
  SubmitHumanInputDocument,
  type Role,
  type RunStatus,
} from '../../../gql/graphql'
import type { AnswerProblem } from '../../inbox/components/TaskCard'
import { RunStatusTag } from '../../runs/components/RunStatusTag'
import { runGraph } from '../graph'
import { useRunLive, type LiveStatus } from '../hooks/useRunLive'
import { answerProblem } from '../../inbox/answerProblem'
import { cancelProblem, rerunProblem, retryProblem } from '../problems'
import { totalUsage } from '../runState'
import { SidePanel } from './SidePanel'
import { RerunModal } from './RerunModal'
import { RunGraph } from './RunGraph'
import { usd } from '../../../lib/money'
import { duration } from '../time'
import { When } from './When'
import '../runview.css'

/** What the side panel gets for a tab it is not showing: the same empty list every time. */
const NOTHING: readonly never[] = []

const RUNNERS: readonly Role[] = ['RUNNER', 'EDITOR', 'ADMIN', 'OWNER']

const LIVE_WORDS: Record<LiveStatus, { text: string; status: 'success' | 'processing' | 'warning' | 'default' | 'error' }> = {
  live: { text: 'Live', status: 'success' },
  connecting: { text: 'Connecting…', status: 'processing' },
  reconnecting: { text: 'Reconnecting…', status: 'warning' },
  ended: { text: 'Run over: nothing more will change', status: 'default' },
  failed: { text: 'Live updates stopped', status: 'error' },
}

function failureText(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure)
}

/** One run, live: its graph with each node's status, a node panel, the timeline, and the actions a role allows. */
export default function RunViewPage() {
  const { workspace = '', runId = '' } = useParams()
  const { session } = useSession()
  const { message } = App.useApp()
  const navigate = useNavigate()
  const role = session?.workspaces.find((item) => item.slug === workspace)?.role
  const canAct = role !== undefined && RUNNERS.includes(role)

  const { data, loading, error, refetch } = useQuery(RunviewRunDocument, {
    variables: { id: runId },
    fetchPolicy: 'network-only',
  })
  const run = data?.run ?? undefined
  const { state, live, liveError, restart } = useRunLive(run)
  const graph = useMemo(() => runGraph(run?.definition), [run?.definition])
  const labels = useMemo(() => new Map(graph.nodes.map((node) => [node.id, node.label])), [graph])

  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [tab, setTab] = useState('node')
  const [graphWidth, setGraphWidth] = useState(0)
  const [actionProblem, setActionProblem] = useState<string | null>(null)
  const [answerProblems, setAnswerProblems] = useState<Record<string, AnswerProblem>>({})
  const [rerunning, setRerunning] = useState<string | null>(null)
  const [rerunProblemShown, setRerunProblem] = useState<AnswerProblem | null>(null)
  const [busy, setBusy] = useState<string | null>(null)

  const [cancelRun] = useMutation(CancelRunDocument)
  const [retryRun] = useMutation(RetryRunDocument)
  const [rerunFromNode] = useMutation(RerunFromNodeDocument)
  const [submitHumanInput] = useMutation(SubmitHumanInputDocument)

  const select = useCallback((nodeId: string | null) => {
    setSelectedId(nodeId)
    if (nodeId) setTab('node')
  }, [])

  const act = useCallback(async (name: string, action: () => Promise<string | null>) => {
    setBusy(name)
    setActionProblem(null)
    try {
      setActionProblem(await action())
    } catch (failure) {
      setActionProblem(failureText(failure))
    } finally {
      setBusy(null)
    }
  }, [])

  const cancel = useCallback(
    () =>
      void act('cancel', async () => {
        const { data: result } = await cancelRun({ variables: { id: runId } })
        return result ? cancelProblem(result.cancelRun) : 'No answer from the server.'
      }),
    [act, cancelRun, runId],
  )

  const retry = useCallback(
    () =>
      void act('retry', async () => {
        const { data: result } = await retryRun({ variables: { id: runId } })
        const problem = result ? retryProblem(result.retryRun) : 'No answer from the server.'
        if (!problem) restart()
        return problem
      }),
    [act, retryRun, runId, restart],
  )

  const answer = useCallback(
    async (nodeId: string, input: unknown) => {
      setBusy(`answer:${nodeId}`)
      let problem: AnswerProblem | null
      try {
        const { data: result } = await submitHumanInput({ variables: { runId, nodeId, input } })
        problem = result ? answerProblem(result.submitHumanInput) : { title: 'No answer from the server.', details: [] }
      } catch (failure) {
        problem = { title: failureText(failure), details: [] }
      }
      setBusy(null)
      setAnswerProblems((current) => {
        const next = { ...current }
        if (problem) next[nodeId] = problem
        else delete next[nodeId]
        return next
      })
      if (!problem) void message.success(`Answered “${labels.get(nodeId) ?? nodeId}”.`)
    },
    [submitHumanInput, runId, labels, message],
  )

  const openRerun = useCallback((nodeId: string) => {
    setRerunProblem(null)
    setRerunning(nodeId)
  }, [])

  async function rerun(nodeId: string, input: unknown) {
    setBusy('rerun')
    try {
      const { data: result } = await rerunFromNode({ variables: { runId, nodeId, input } })
      const problem = result ? rerunProblem(result.rerunFromNode) : { title: 'No answer from the server.', details: [] }
      setRerunProblem(problem)
      if (!problem && result?.rerunFromNode.__typename === 'Run') {
        setRerunning(null)
        setSelectedId(null)
        void navigate(`/w/${workspace}/runs/${result.rerunFromNode.id}`)
      }
    } catch (failure) {
      setRerunProblem({ title: failureText(failure), details: [] })
    } finally {
      setBusy(null)
    }
  }

  if (error) {
    return (
      <Alert
        type="error"
        role="alert"
        title="The run could not be loaded"
        description={error.message}
        action={<Button onClick={() => void refetch()}>Try again</Button>}
      />
    )
  }
  if (loading && !run) return <Skeleton active aria-label="Loading the run" />
  if (!run || !state) {
    return (
      <Result
        status="404"
        title="No such run"
        subTitle={`There is no run ${runId} in this workspace.`}
        extra={<Link to={`/w/${workspace}/runs`}>All runs</Link>}
      />
    )
  }

  const status = state.status
  const usage = totalUsage(state)
  const selected = graph.nodes.find((node) => node.id === selectedId)
  const selectedView = selectedId ? state.nodes[selectedId] : undefined
  const liveWords = LIVE_WORDS[live]

  return (
    <Flex vertical gap={12} className="run-view">
      <Flex align="center" gap={12} wrap>
        <Typography.Title level={2} className="run-view__title">
          <Link to={`/w/${workspace}/workflows/${run.workflow.id}`}>{run.workflow.name}</Link>
        </Typography.Title>
        <RunStatusTag status={status} />
        <span role="status" aria-label="Live updates">
          <Badge status={liveWords.status} text={liveWords.text} />
        </span>
        <RunActions status={status} canAct={canAct} busy={busy} onCancel={cancel} onRetry={retry} />
      </Flex>
      <RunFacts
        runId={run.id}
        version={run.version}
        startedAt={state.startedAt}
        finishedAt={state.finishedAt}
        usage={usage ? `${usage.inputTokens} in, ${usage.outputTokens} out, ${usage.requests} requests` : '—'}
        cost={usage?.costUsd ? usd(usage.costUsd) : null}
      />
      {status === 'FAILED' && state.error ? (
        <Alert type="error" role="alert" showIcon title="The run failed" description={state.error} />
      ) : null}
      {actionProblem ? <Alert type="error" role="alert" showIcon title={actionProblem} closable /> : null}
      {liveError ? <Alert type="warning" showIcon title="Live updates stopped" description={liveError} /> : null}
      <Splitter className="run-view__split" onResize={(sizes) => setGraphWidth(sizes[0] ?? 0)}>
        <Splitter.Panel defaultSize="60%" min="25%" className="run-view__graph">
          <ReactFlowProvider>
            {graph.nodes.length > 0 ? (
              <RunGraph graph={graph} nodes={state.nodes} selectedId={selectedId} onSelect={select} width={graphWidth} />
            ) : (
              <Result status="warning" title="This run's workflow version has no nodes to draw." />
            )}
          </ReactFlowProvider>
        </Splitter.Panel>
        <Splitter.Panel min="20%" className="run-view__side">
          <SidePanel
            tab={tab}
            onTab={setTab}
            node={selected}
            view={selectedView}
            canAct={canAct}
            answering={busy === `answer:${selectedId}`}
            answerProblem={selectedId ? (answerProblems[selectedId] ?? null) : null}
            onAnswer={answer}
            onRerun={openRerun}
            timeline={tab === 'timeline' ? state.timeline : NOTHING}
            seen={tab === 'events' ? state.seen : NOTHING}
            labels={labels}
            selectedId={selectedId}
            onSelect={select}
            inputs={run.inputs}
            output={state.output}
          />
        </Splitter.Panel>
      </Splitter>
      {rerunning ? (
        <RerunModal
          nodeLabel={labels.get(rerunning) ?? rerunning}
          input={state.nodes[rerunning]?.input}
          busy={busy === 'rerun'}
          problem={rerunProblemShown}
          onRerun={(input) => void rerun(rerunning, input)}
          onClose={() => setRerunning(null)}
        />
      ) : null}
    </Flex>
  )
}

/** The run's facts under its title; memoised, as they change far less often than the nodes. */
const RunFacts = memo(function RunFacts({
  runId,
  version,
  startedAt,
  finishedAt,
  usage,
  cost,
}: {
  runId: string
  version: number
  startedAt: string | null
  finishedAt: string | null
  usage: string
  cost: string | null
}) {
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2, xl: 4 }}
      items={[
        { key: 'run', label: 'Run', children: <Typography.Text copyable>{runId}</Typography.Text> },
        { key: 'version', label: 'Version', children: version },
        { key: 'started', label: 'Started', children: <When value={startedAt} /> },
        { key: 'finished', label: 'Finished', children: <When value={finishedAt} /> },
        { key: 'duration', label: 'Duration', children: duration(startedAt, finishedAt) },
        { key: 'usage', label: 'Tokens', children: usage },
        ...(cost ? [{ key: 'cost', label: 'Cost', children: cost }] : []),
      ]}
    />
  )
})

/** Cancel and Retry, as the run's status and the person's role allow; memoised (a live run re-renders often). */
const RunActions = memo(function RunActions({
  status,
  canAct,
  busy,
  onCancel,
  onRetry,
}: {
  status: RunStatus
  canAct: boolean
  busy: string | null
  onCancel: () => void
  onRetry: () => void
}) {
  if (!canAct) return null
  return (
    <Flex gap={8} className="run-view__actions">
      {status === 'PENDING' || status === 'RUNNING' || status === 'WAITING' ? (
        <Popconfirm title="Cancel this run?" okText="Cancel run" cancelText="Keep it" onConfirm={onCancel}>
          <Button danger loading={busy === 'cancel'}>
            Cancel
          </Button>
        </Popconfirm>
      ) : null}
      {status === 'FAILED' ? (
        <Button onClick={onRetry} loading={busy === 'retry'}>
          Retry
        </Button>
      ) : null}
    </Flex>
  )
})
