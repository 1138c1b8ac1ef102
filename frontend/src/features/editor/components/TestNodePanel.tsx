export default function TestNodePanel(_props: { workflowId: string; definition: unknown; nodeId: string }) {
  return null
}
