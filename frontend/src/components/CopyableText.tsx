import { App, Button, Flex, Typography } from 'antd'

/** "Invitation link" → "invitation link" inside a sentence; an acronym ("API token") stays as it is. */
function inSentence(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label
}

/**
 * A secret or link shown for copying (a new token, an invitation link): the text, selectable, and a
 * button that puts it on the clipboard. `label` names both for assistive technology.
 */
export function CopyableText({ text, label }: { text: string; label: string }) {
  const { message } = App.useApp()

  async function copy() {
    try {
      await navigator.clipboard.writeText(text)
      void message.success('Copied.')
    } catch {
      // no clipboard (an insecure origin, or permission refused): the text stays there to select
      void message.warning('The browser refused the clipboard: select the text and copy it by hand.')
    }
  }

  return (
    <Flex gap={8} align="center" className="copyable-text">
      <Typography.Text code aria-label={label} className="copyable-text__value">
        {text}
      </Typography.Text>
      <Button onClick={() => void copy()} aria-label={`Copy ${inSentence(label)}`}>
        Copy
      </Button>
    </Flex>
  )
}
