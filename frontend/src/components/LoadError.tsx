import { Alert, Button } from 'antd'

/** What a page shows when its data could not be loaded: what, why, and a way to try again. */
export function LoadError({ what, error, onRetry }: { what: string; error: Error; onRetry: () => void }) {
  return (
    <Alert
      type="error"
      role="alert"
      title={`${what} could not be loaded`}
      description={error.message}
      action={<Button onClick={onRetry}>Try again</Button>}
    />
  )
}
