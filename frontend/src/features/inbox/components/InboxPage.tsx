import { useMutation, useQuery } from '@apollo/client/react'
import { App, Empty, Flex, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { useParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { LoadError } from '../../../components/LoadError'
import {
  HumanTaskUpdatesDocument,
  HumanTasksDocument,
  SubmitHumanInputDocument,
  type HumanTasksQuery,
  type Role,
} from '../../../gql/graphql'
import { answerProblem } from '../answerProblem'
import { applyTaskUpdate, withoutAnswered } from '../tasksList'
import { TaskCard, type AnswerProblem } from './TaskCard'

const RUNNERS: readonly Role[] = ['RUNNER', 'EDITOR', 'ADMIN', 'OWNER']
const OPEN = { status: 'OPEN' } as const

type Task = HumanTasksQuery['humanTasks'][number]

function keyOf(task: Task): string {
  return `${task.runId}/${task.nodeId}/${task.iteration}`
}

/** Open human tasks of the workspace, live, each with a form to answer it (runners and up). */
export function InboxPage() {
  const { message } = App.useApp()
  const { session } = useSession()
  const { workspace } = useParams()
  const role = session?.workspaces.find((item) => item.slug === workspace)?.role
  const canAnswer = role !== undefined && RUNNERS.includes(role)
  const { data, loading, error, refetch, subscribeToMore, updateQuery } = useQuery(HumanTasksDocument, {
    variables: OPEN,
  })
  const [submit] = useMutation(SubmitHumanInputDocument)
  const [busy, setBusy] = useState<string | null>(null)
  const [problems, setProblems] = useState<Record<string, AnswerProblem>>({})

  useEffect(
    () =>
      subscribeToMore({
        document: HumanTaskUpdatesDocument,
        variables: {},
        // a change that lands before the first answer has nothing to update; the answer is fresher
        updateQuery: (_, update) =>
          update.complete ? applyTaskUpdate(update.previousData, update.subscriptionData.data.humanTasks) : undefined,
      }),
    [subscribeToMore],
  )

  async function answer(task: Task, input: unknown) {
    const key = keyOf(task)
    setBusy(key)
    try {
      const { data: result } = await submit({ variables: { runId: task.runId, nodeId: task.nodeId, input } })
      const problem = result ? answerProblem(result.submitHumanInput) : { title: 'No answer from the server.', details: [] }
      setProblems((current) => {
        const next = { ...current }
        if (problem) next[key] = problem
        else delete next[key]
        return next
      })
      if (!problem) {
        updateQuery((_, current) =>
          current.complete ? withoutAnswered(current.previousData, task.runId, task.nodeId) : undefined,
        )
        void message.success(`Answered “${task.prompt || task.nodeId}”.`)
      }
    } catch (failure) {
      setProblems((current) => ({
        ...current,
        [key]: { title: failure instanceof Error ? failure.message : String(failure), details: [] },
      }))
    } finally {
      setBusy(null)
    }
  }

  const tasks = data?.humanTasks ?? []
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Inbox
      </Typography.Title>
      {error ? (
        <LoadError what="The open tasks" error={error} onRetry={() => void refetch()} />
      ) : null}
      {!loading && !error && tasks.length === 0 ? <Empty description="No open tasks: nothing waits for a person." /> : null}
      {tasks.map((task) => (
        <TaskCard
          key={keyOf(task)}
          task={task}
          canAnswer={canAnswer}
          busy={busy !== null && busy === keyOf(task)}
          problem={problems[keyOf(task)] ?? null}
          onAnswer={(input) => void answer(task, input)}
        />
      ))}
    </Flex>
  )
}

