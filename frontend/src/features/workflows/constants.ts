/** How many workflows the list asks for at once (more come with “Load more”; the server’s page limit is 100). */
export const WORKFLOWS_PAGE = 50

/**
 * What a new workflow starts from: the server refuses a workflow without nodes (EMPTY_WORKFLOW), so a
 * start node that passes the run's inputs on, like Dify's Start node; the editor replaces or extends it.
 */
export const STARTER_DEFINITION = {
  nodes: [{ id: 'start', type: 'template', label: 'Start', params: { template: '{{ input }}' } }],
  edges: [],
}
