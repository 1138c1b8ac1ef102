import { Alert, Card, Typography } from 'antd'
import { Link, useParams } from 'react-router'
import type { HumanTasksQuery } from '../../../gql/graphql'
import { TaskForm } from './TaskForm'

type Task = HumanTasksQuery['humanTasks'][number]

/** What went wrong with an answer, in words, with the schema's complaints listed. */
export interface AnswerProblem {
  title: string
  details: readonly string[]
}

/** One open task: its prompt, where it comes from, and (for runners and up) the answer form. */
export function TaskCard({
  task,
  canAnswer,
  busy,
  problem,
  onAnswer,
}: {
  task: Task
  canAnswer: boolean
  busy: boolean
  problem: AnswerProblem | null
  onAnswer: (answer: unknown) => void
}) {
  const { workspace = '' } = useParams()
  // a budget hold's prompt is a paragraph on the cost so far: it reads below a short title
  const title = task.budgetHold ? `Budget approval for “${task.nodeId}”` : task.prompt || `Input for “${task.nodeId}”`
  return (
    <Card
      title={<span>{title}</span>}
      role="region"
      aria-label={title}
      extra={<Link to={`/w/${workspace}/runs/${task.runId}`}>Open run</Link>}
    >
      <Typography.Paragraph type="secondary">
        Run {task.runId}, node “{task.nodeId}”
        {task.dueAt ? `, due ${new Date(task.dueAt).toLocaleString()}` : ''}
      </Typography.Paragraph>
      {task.budgetHold ? <Typography.Paragraph>{task.prompt}</Typography.Paragraph> : null}
      {problem ? (
        <Alert
          type="error"
          role="alert"
          style={{ marginBottom: 16 }}
          title={problem.title}
          description={
            problem.details.length > 0 ? (
              <ul aria-label="Problems" style={{ margin: 0, paddingLeft: 20 }}>
                {problem.details.map((detail) => (
                  <li key={detail}>{detail}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      ) : null}
      {canAnswer ? (
        <TaskForm schema={task.schema} busy={busy} disabled={busy} onSubmit={onAnswer} />
      ) : (
        <Typography.Text type="secondary">Viewers see the question; a runner or above answers it.</Typography.Text>
      )}
    </Card>
  )
}
