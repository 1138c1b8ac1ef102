import { InboxOutlined } from '@ant-design/icons'
import { Alert, Flex, Typography, Upload } from 'antd'
import { ACCEPTED_FILES } from '../constants'
import type { UploadReport } from '../hooks/useUpload'

/**
 * The drop zone: files dropped or picked go up in one request. The picker offers the supported
 * kinds; a dropped file of another kind goes up too, and the server's refusal is shown.
 */
export function UploadArea({
  uploading,
  report,
  onUpload,
  onDismiss,
}: {
  uploading: boolean
  report: UploadReport | null
  onUpload: (files: File[]) => Promise<UploadReport>
  onDismiss: () => void
}) {
  return (
    <Flex vertical gap={12}>
      <Upload.Dragger
        aria-label="Upload documents"
        multiple
        accept={{ format: ACCEPTED_FILES, filter: 'native' }}
        showUploadList={false}
        disabled={uploading}
        beforeUpload={(file, batch) => {
          // called once per file of a batch, with the whole batch: the first call sends them all
          // (the documents appear in the table at once, PENDING; what is refused shows below)
          if (file === batch[0]) void onUpload(batch)
          return Upload.LIST_IGNORE
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{uploading ? 'Uploading…' : 'Click or drag files here to upload'}</p>
        <p className="ant-upload-hint">Text (.txt), Markdown (.md), PDF (.pdf) and web pages (.html), several at once.</p>
      </Upload.Dragger>
      {report?.error ? (
        <Alert type="error" role="alert" title="The upload failed" description={report.error} closable={{ onClose: onDismiss }} />
      ) : null}
      {report && report.refused.length > 0 ? (
        <Alert
          type="error"
          role="alert"
          title={`${report.refused.length} file${report.refused.length === 1 ? ' was' : 's were'} refused`}
          closable={{ onClose: onDismiss }}
          description={
            <ul className="knowledge-problems" aria-label="Refused files">
              {report.refused.map((file, index) => (
                <li key={index}>
                  <Typography.Text strong>{file.name}</Typography.Text>: {file.message}{' '}
                  <Typography.Text type="secondary" code>
                    {file.code}
                  </Typography.Text>
                </li>
              ))}
            </ul>
          }
        />
      ) : null}
    </Flex>
  )
}
