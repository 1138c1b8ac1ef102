import { Alert, Button, Flex, Modal, Typography } from 'antd'
import { CopyableText } from '../../../components/CopyableText'
import { curlExample, webhookUrl } from '../webhook'

/** The one moment a webhook's secret is seen: its URL, the secret and a signed curl example. */
export function WebhookSecretDialog({
  title,
  path,
  secret,
  onClose,
}: {
  title: string
  path: string
  secret: string
  onClose: () => void
}) {
  const url = webhookUrl(path)
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      width={680}
      footer={
        <Button type="primary" onClick={onClose}>
          I have copied it
        </Button>
      }
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <Alert type="warning" title="Copy the secret now: it will not be shown again." />
        <Typography.Text strong>URL</Typography.Text>
        <CopyableText text={url} label="Webhook URL" />
        <Typography.Text strong>Secret</Typography.Text>
        <CopyableText text={secret} label="Webhook secret" />
        <Typography.Text type="secondary">
          Send a JSON body (the run inputs) and sign it: <Typography.Text code>X-Flowloom-Signature: sha256=…</Typography.Text>{' '}
          is the HMAC-SHA256 of the raw body with the secret. Add <Typography.Text code>X-Flowloom-Delivery</Typography.Text> to
          make retries start one run.
        </Typography.Text>
        <Typography.Paragraph copyable={{ text: curlExample(url, secret) }} aria-label="curl example">
          <pre className="triggers-curl">{curlExample(url, secret)}</pre>
        </Typography.Paragraph>
      </Flex>
    </Modal>
  )
}
