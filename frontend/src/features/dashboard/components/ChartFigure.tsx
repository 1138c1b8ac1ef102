import type { ReactNode } from 'react'

/** A column of a chart's table: its heading, and the cell of each row. */
export interface FigureColumn<Row> {
  title: string
  cell: (row: Row) => string
}

/**
 * A chart as a named figure: the drawing is for the eyes (hidden from assistive technology, where
 * its tooltips would be mouse-only), a visually hidden table says the same numbers to everyone else.
 */
export function ChartFigure<Row>({
  title,
  rows,
  columns,
  rowKey,
  children,
}: {
  title: string
  rows: readonly Row[]
  columns: readonly FigureColumn<Row>[]
  rowKey: (row: Row) => string | number
  children: ReactNode
}) {
  return (
    <figure className="dashboard-figure" aria-label={title}>
      <div aria-hidden="true">{children}</div>
      <table className="dashboard-visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.title} scope="col">
                {column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) => (
                <td key={column.title}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
