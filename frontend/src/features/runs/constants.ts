/** How many runs one page of the Runs table asks for (more come with “Load more”). */
export const RUNS_PAGE = 25
