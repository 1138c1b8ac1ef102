import { Alert, Button, Descriptions, Empty, Flex, Tag, Typography } from 'antd'
import { memo } from 'react'
import { JsonView } from '../../../components/JsonView'
import { usd } from '../../../lib/money'
import { TaskForm } from '../../inbox/components/TaskForm'
import type { AnswerProblem } from '../../inbox/components/TaskCard'
import type { GraphNode } from '../graph'
import type { NodeView } from '../runState'
import { NODE_STATUS_COLORS } from '../statusColors'
import { duration } from '../time'
import { When } from './When'

/** One node's details: status, timings, usage, input, output, error, streamed tokens and (waiting) the answer form. */
export const NodePanel = memo(function NodePanel({
  node,
  view,
  canAct,
  answering,
  answerProblem,
  onAnswer,
  onRerun,
}: {
  node: GraphNode | undefined
  view: NodeView | undefined
  canAct: boolean
  answering: boolean
  answerProblem: AnswerProblem | null
  onAnswer: (nodeId: string, answer: unknown) => void
  onRerun: (nodeId: string) => void
}) {
  if (!node) return <Empty description="Select a node on the graph or in the timeline to see its input and output." />
  const status = view?.status ?? 'PENDING'
  // a human node, or a model call a budget holds for approval (its NODE_WAITING event brings the prompt)
  const waitingHuman = status === 'WAITING' && (node.kind === 'human' || view?.prompt != null)
  return (
    <section aria-label={`Node ${node.label}`} className="run-panel">
      <Flex align="center" gap={8} wrap>
        <Typography.Title level={4} className="run-panel__title">
          {node.label}
        </Typography.Title>
        <Tag color={NODE_STATUS_COLORS[status]}>{status}</Tag>
        {canAct ? (
          <Button size="small" onClick={() => onRerun(node.id)} disabled={!view || view.status === 'PENDING'}>
            Rerun from this node
          </Button>
        ) : null}
      </Flex>
      <Descriptions
        size="small"
        column={1}
        className="run-panel__facts"
        items={[
          { key: 'id', label: 'Node', children: `${node.id} (${node.kind})` },
          { key: 'iteration', label: 'Iteration', children: view?.iteration ?? 0 },
          { key: 'attempts', label: 'Attempts', children: view?.attempts ?? 0 },
          { key: 'started', label: 'Started', children: <When value={view?.startedAt} /> },
          { key: 'finished', label: 'Finished', children: <When value={view?.finishedAt} /> },
          { key: 'duration', label: 'Duration', children: duration(view?.startedAt, view?.finishedAt) },
          {
            key: 'usage',
            label: 'Tokens',
            children: view?.usage
              ? `${view.usage.inputTokens} in, ${view.usage.outputTokens} out, ${view.usage.requests} requests`
              : '—',
          },
          ...(view?.usage?.costUsd ? [{ key: 'cost', label: 'Cost', children: usd(view.usage.costUsd) }] : []),
          ...(view?.branch ? [{ key: 'branch', label: 'Branch', children: view.branch }] : []),
        ]}
      />
      {view?.error ? <Alert type={status === 'FAILED' ? 'error' : 'warning'} title={view.error} showIcon /> : null}
      {waitingHuman ? (
        <div className="run-panel__block" role="region" aria-label="Answer">
          <Typography.Title level={5}>{view?.prompt || `Input for “${node.id}”`}</Typography.Title>
          {answerProblem ? (
            <Alert
              type="error"
              role="alert"
              className="run-panel__alert"
              title={answerProblem.title}
              description={
                answerProblem.details.length > 0 ? (
                  <ul aria-label="Problems">
                    {answerProblem.details.map((detail) => (
                      <li key={detail}>{detail}</li>
                    ))}
                  </ul>
                ) : undefined
              }
            />
          ) : null}
          {canAct ? (
            <TaskForm schema={view?.schema} busy={answering} disabled={answering} onSubmit={(answer) => onAnswer(node.id, answer)} />
          ) : (
            <Typography.Text type="secondary">Viewers see the question; a runner or above answers it.</Typography.Text>
          )}
        </div>
      ) : null}
      {view?.text ? (
        <div className="run-panel__block">
          <Typography.Title level={5}>Streamed text</Typography.Title>
          <pre className="run-panel__stream" aria-label="Streamed text">
            {view.text}
          </pre>
        </div>
      ) : null}
      <div className="run-panel__block">
        <Typography.Title level={5}>Input</Typography.Title>
        {view?.pruned ? (
          <Pruned what="input" />
        ) : view?.inputRef ? (
          <Typography.Text type="secondary">Loading the input ({view.inputRef.bytes.toLocaleString()} bytes)…</Typography.Text>
        ) : (
          <JsonView label="Input" value={view?.input ?? null} />
        )}
      </div>
      <div className="run-panel__block">
        <Typography.Title level={5}>Output</Typography.Title>
        {view?.pruned ? (
          <Pruned what="output" />
        ) : view?.outputRef ? (
          <Typography.Text type="secondary">Loading the output ({view.outputRef.bytes.toLocaleString()} bytes)…</Typography.Text>
        ) : (
          <JsonView label="Output" value={view?.output ?? null} />
        )}
      </div>
    </section>
  )
})

function Pruned({ what }: { what: string }) {
  return <Typography.Text type="secondary">Pruned: the {what} is no longer kept (retention).</Typography.Text>
}
