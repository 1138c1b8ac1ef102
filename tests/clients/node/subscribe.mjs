// The reference Node client: subscribe to a run's events with graphql-ws, as a third party would.
//
//   node subscribe.mjs <ws-url> <token> <runId> [afterSeq]
//
// Prints one JSON line per event ({"seq", "type", "nodeId"}) and exits 0 when the server completes
// the subscription (after the run's terminal event); on an error it prints the error (for a closed
// connection: "closed <code> <reason>") to stderr and exits 1.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const RUN_EVENTS = `
  subscription RunEvents($runId: ID!, $afterSeq: Int) {
    runEvents(runId: $runId, afterSeq: $afterSeq) { runId seq type nodeId at data }
  }
`;

function describe(error) {
  if (error && typeof error.code === 'number' && 'reason' in error) {
    return `closed ${error.code} ${error.reason}`; // a CloseEvent: the server refused or dropped us
  }
  if (Array.isArray(error)) {
    return JSON.stringify(error); // GraphQL errors of an `error` message
  }
  return String(error?.stack ?? error);
}

const [url, token, runId, afterSeq] = process.argv.slice(2);
if (!url || !token || !runId) {
  process.stderr.write('usage: node subscribe.mjs <ws-url> <token> <runId> [afterSeq]\n');
  process.exit(2);
}

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authToken: token },
  retryAttempts: 0, // a refused token (4403) is an answer, not a hiccup to retry
});

const outcome = await new Promise((resolve) => {
  client.subscribe(
    {
      query: RUN_EVENTS,
      variables: { runId, afterSeq: afterSeq === undefined ? null : Number(afterSeq) },
    },
    {
      next(result) {
        if (result.errors) {
          resolve({ error: result.errors });
          return;
        }
        const { seq, type, nodeId } = result.data.runEvents;
        process.stdout.write(`${JSON.stringify({ seq, type, nodeId })}\n`);
      },
      error(error) {
        resolve({ error });
      },
      complete() {
        resolve({});
      },
    },
  );
});

await client.dispose();
if ('error' in outcome) {
  process.stderr.write(`${describe(outcome.error)}\n`);
  process.exitCode = 1;
}
