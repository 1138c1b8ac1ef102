import type { RunRowFieldsFragment, RunStatus, RunsTableQuery } from '../../gql/graphql'

/** The listing with a page of older runs appended (a run already shown is not repeated). */
export function appendPage(previous: RunsTableQuery, next: RunsTableQuery): RunsTableQuery {
  const seen = new Set(previous.runs.edges.map((edge) => edge.node.id))
  return {
    runs: {
      ...next.runs,
      edges: [...previous.runs.edges, ...next.runs.edges.filter((edge) => !seen.has(edge.node.id))],
    },
  }
}

/**
 * The listing after a live update: a run already shown takes the new values; a new run matching the
 * filter goes first (the list is newest first); anything else leaves the listing as it is.
 */
export function applyUpdate(
  previous: RunsTableQuery,
  run: RunRowFieldsFragment,
  filter: RunStatus | null,
): RunsTableQuery {
  const shown = previous.runs.edges.some((edge) => edge.node.id === run.id)
  if (shown) {
    return {
      runs: {
        ...previous.runs,
        edges: previous.runs.edges.map((edge) => (edge.node.id === run.id ? { ...edge, node: { ...edge.node, ...run } } : edge)),
      },
    }
  }
  if (filter !== null && run.status !== filter) return previous
  const edge = { __typename: 'RunEdge' as const, cursor: run.id, node: run }
  return { runs: { ...previous.runs, edges: [edge, ...previous.runs.edges] } }
}
