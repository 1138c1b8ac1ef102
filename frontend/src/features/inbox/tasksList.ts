import type { HumanTasksQuery } from '../../gql/graphql'

type Task = HumanTasksQuery['humanTasks'][number]

/** Whether two tasks are the same question (a node asks again in a later loop iteration). */
export function sameTask(a: Pick<Task, 'runId' | 'nodeId' | 'iteration'>, b: Pick<Task, 'runId' | 'nodeId' | 'iteration'>) {
  return a.runId === b.runId && a.nodeId === b.nodeId && a.iteration === b.iteration
}

/** The open tasks after a live change: an opened task is added (once), a closed one removed. */
export function applyTaskUpdate(previous: HumanTasksQuery, task: Task): HumanTasksQuery {
  const rest = previous.humanTasks.filter((item) => !sameTask(item, task))
  return { humanTasks: task.status === 'OPEN' ? [...rest, task] : rest }
}

/** The open tasks without the ones of `runId` waiting at `nodeId` (just answered here). */
export function withoutAnswered(previous: HumanTasksQuery, runId: string, nodeId: string): HumanTasksQuery {
  return { humanTasks: previous.humanTasks.filter((item) => !(item.runId === runId && item.nodeId === nodeId)) }
}
