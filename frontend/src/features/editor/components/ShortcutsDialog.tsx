// The keyboard shortcuts, listed (opened with "?" or the toolbar's Shortcuts button).
import { Modal, Table } from 'antd'

const SHORTCUTS = [
  { keys: 'Enter / click on a palette item', does: 'Add that node at the centre of the view' },
  { keys: 'Tab', does: 'Move between nodes and controls' },
  { keys: 'Delete or Backspace', does: 'Delete the selected nodes and edges' },
  { keys: 'Ctrl+C / Ctrl+V', does: 'Copy / paste the selected nodes (with new ids)' },
  { keys: 'Ctrl+Z', does: 'Undo' },
  { keys: 'Ctrl+Shift+Z or Ctrl+Y', does: 'Redo' },
  { keys: 'Ctrl+S', does: 'Save as a new version' },
  { keys: 'Shift+click, or drag with Shift', does: 'Select several nodes' },
  { keys: '?', does: 'Show this list' },
]

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" open={open} onCancel={onClose} footer={null}>
      <Table
        size="small"
        pagination={false}
        rowKey="keys"
        dataSource={SHORTCUTS}
        columns={[
          { title: 'Keys', dataIndex: 'keys' },
          { title: 'Does', dataIndex: 'does' },
        ]}
      />
    </Modal>
  )
}
