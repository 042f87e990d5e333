// Files made in the browser (a CSV template, a report) offered for download
// through a Blob link, which the server's CSP allows.

/** Offers `text` as a download named `name`; a CSV keeps its byte-order mark so Excel reads it as UTF-8. */
export function saveText(name: string, text: string, type = 'text/csv;charset=utf-8') {
  const body = type.startsWith('text/csv') && !text.startsWith('\uFEFF') ? `\uFEFF${text}` : text
  const url = URL.createObjectURL(new Blob([body], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
