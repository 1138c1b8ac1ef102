import type { WorkflowRowFieldsFragment, WorkflowsTableQuery, WorkflowsTableRunUpdatesSubscription } from '../../gql/graphql'

type RunUpdate = WorkflowsTableRunUpdatesSubscription['runUpdates']
type LastRun = NonNullable<WorkflowRowFieldsFragment['lastRun']>

/** The listing with the next page appended (a workflow already shown is not repeated). */
export function appendPage(previous: WorkflowsTableQuery, next: WorkflowsTableQuery): WorkflowsTableQuery {
  const seen = new Set(previous.workflows.edges.map((edge) => edge.node.id))
  return {
    workflows: {
      ...next.workflows,
      edges: [...previous.workflows.edges, ...next.workflows.edges.filter((edge) => !seen.has(edge.node.id))],
    },
  }
}

function isNewer(run: RunUpdate, shown: LastRun | null): boolean {
  if (!shown || shown.id === run.id) return true
  return new Date(run.createdAt).getTime() >= new Date(shown.createdAt).getTime()
}

/**
 * The listing after a run changed: the run becomes its workflow's last run when it is that run or a
 * newer one; an older run's news, or a workflow not listed, leave the listing as it was.
 */
export function applyRunUpdate(previous: WorkflowsTableQuery, run: RunUpdate): WorkflowsTableQuery {
  const edge = previous.workflows.edges.find((item) => item.node.id === run.workflow.id)
  if (!edge || !isNewer(run, edge.node.lastRun)) return previous
  // the run without its workflow (keeping the __typename the server sent, which the cache needs)
  const { workflow, ...lastRun } = run
  void workflow
  return {
    workflows: {
      ...previous.workflows,
      edges: previous.workflows.edges.map((item) =>
        item === edge ? { ...item, node: { ...item.node, lastRun } } : item,
      ),
    },
  }
}

/** The name a duplicate gets: "Seed" → "Seed (copy)". */
export function duplicateName(name: string): string {
  return `${name} (copy)`
}
