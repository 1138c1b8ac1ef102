/** How many workflows the list asks for at once (more come with “Load more”; the server’s page limit is 100). */
export const WORKFLOWS_PAGE = 50
