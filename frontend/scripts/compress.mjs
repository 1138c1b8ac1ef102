// Brotli and gzip copies of the build's text files, next to each (`x.js.br`, `x.js.gz`): flowloom
// serve sends the copy the browser accepts (Content-Encoding) instead of compressing per request.
// Node's own zlib: nothing to install. Brotli quality 9, not 11: 3 s instead of about 30 s for the
// 8 MB build (GraphiQL's editor is most of it), for 8 % larger files. Files under 1 KiB are not worth it.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const root = path.resolve(process.argv[2] ?? 'dist')
const TEXT = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.wasm', '.txt'])
const MIN_BYTES = 1024

function* files(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name)
    if (entry.isDirectory()) yield* files(full)
    else if (TEXT.has(path.extname(entry.name)) && statSync(full).size >= MIN_BYTES) yield full
  }
}

let raw = 0
let brotli = 0
for (const file of files(root)) {
  const content = readFileSync(file)
  const br = brotliCompressSync(content, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
  })
  writeFileSync(`${file}.br`, br)
  writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }))
  raw += content.length
  brotli += br.length
}
console.log(`compressed ${(raw / 1024).toFixed(0)} kB of text to ${(brotli / 1024).toFixed(0)} kB (brotli) in ${root}`)
