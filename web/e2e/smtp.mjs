// A tiny SMTP sink for the journeys: the server under test delivers its
// e-mails here (LMS_SMTP_HOST=127.0.0.1 LMS_SMTP_PORT={smtp_port}
// LMS_SMTP_SECURITY=plain), and a step waits for the message to an address
// and follows the link in it, as the recipient would.
//
// It speaks just enough SMTP (RFC 5321) for one client: EHLO/HELO, MAIL
// FROM, RCPT TO, DATA (until "<CRLF>.<CRLF>", dot-unstuffed), RSET, NOOP,
// QUIT; no TLS, no AUTH. Messages stay in memory; their MIME parts are
// decoded (quoted-printable, base64) enough to read the text and find links.
import net from 'node:net'

/** Decodes a quoted-printable body to its bytes, then UTF-8. */
export function decodeQuotedPrintable(text) {
  const soft = text.replace(/=\r?\n/g, '')
  const bytes = []
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b)
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** Decodes RFC 2047 encoded words in a header ("=?utf-8?b?...?="). */
export function decodeHeader(value) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset, enc, data) =>
      enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    )
}

/** Splits a MIME entity into its headers (lower-case names, unfolded) and body. */
function splitEntity(raw) {
  const m = /\r?\n\r?\n/.exec(raw)
  const head = m ? raw.slice(0, m.index) : raw
  const body = m ? raw.slice(m.index + m[0].length) : ''
  const headers = {}
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':')
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  return { headers, body }
}

/** The text parts of a MIME message: [{ type, text }], nested multiparts included. */
export function textParts(raw) {
  const { headers, body } = splitEntity(raw)
  const type = (headers['content-type'] || 'text/plain').toLowerCase()
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] || '')?.[1]
    if (!boundary) return []
    const parts = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`))
    return parts.filter((p) => p.trim()).flatMap((p) => textParts(p))
  }
  if (!type.startsWith('text/')) return []
  const encoding = (headers['content-transfer-encoding'] || '7bit').toLowerCase()
  const text =
    encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : body
  return [{ type: type.split(';')[0].trim(), text }]
}

/** A received message, decoded: from, to, subject, text (plain parts) and html. */
export function parseMessage(raw, envelope = { from: '', to: [] }) {
  const { headers } = splitEntity(raw)
  const parts = textParts(raw)
  return {
    from: envelope.from,
    to: envelope.to,
    subject: decodeHeader(headers.subject || ''),
    text: parts.filter((p) => p.type === 'text/plain').map((p) => p.text).join('\n'),
    html: parts.filter((p) => p.type === 'text/html').map((p) => p.text).join('\n'),
    raw,
    at: Date.now(),
  }
}

/** The links in a message (plain text first, then HTML), in order. */
export function linksIn(message) {
  const found = []
  for (const text of [message.text, message.html.replace(/&amp;/g, '&')])
    for (const m of text.matchAll(/https?:\/\/[^\s"'<>)\]]+/g)) if (!found.includes(m[0])) found.push(m[0])
  return found
}

/** Starts the sink on 127.0.0.1 (a free port unless `port` is given). */
export function startSmtpSink({ port = 0, host = '127.0.0.1', log = () => {} } = {}) {
  const messages = []
  const sockets = new Set()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.setEncoding('latin1')
    const reply = (line) => socket.write(`${line}\r\n`)
    let buffer = ''
    let envelope = { from: '', to: [] }
    let data = null
    reply('220 lms-e2e-sink ESMTP ready')
    socket.on('data', (chunk) => {
      buffer += chunk
      let nl
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '')
        buffer = buffer.slice(nl + 1)
        if (data !== null) {
          if (line === '.') {
            // The bytes were read as latin1: back to bytes, then UTF-8.
            const raw = Buffer.from(data.join('\r\n'), 'latin1').toString('utf8')
            const message = parseMessage(raw, envelope)
            messages.push(message)
            log(`mail to ${envelope.to.join(', ')}: ${message.subject}`)
            data = null
            envelope = { from: '', to: [] }
            reply('250 2.0.0 OK: queued')
          } else data.push(line.startsWith('..') ? line.slice(1) : line)
          continue
        }
        const verb = line.split(/[\s:]/)[0].toUpperCase()
        if (verb === 'EHLO') socket.write('250-lms-e2e-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n')
        else if (verb === 'HELO') reply('250 lms-e2e-sink')
        else if (verb === 'MAIL') {
          envelope = { from: /<([^>]*)>/.exec(line)?.[1] ?? '', to: [] }
          reply('250 2.1.0 OK')
        } else if (verb === 'RCPT') {
          const to = /<([^>]*)>/.exec(line)?.[1]
          if (!to) reply('501 5.1.3 Bad recipient address syntax')
          else {
            envelope.to.push(to.toLowerCase())
            reply('250 2.1.5 OK')
          }
        } else if (verb === 'DATA') {
          if (!envelope.to.length) reply('503 5.5.1 RCPT first')
          else {
            data = []
            reply('354 End data with <CR><LF>.<CR><LF>')
          }
        } else if (verb === 'RSET') {
          envelope = { from: '', to: [] }
          reply('250 2.0.0 OK')
        } else if (verb === 'NOOP') reply('250 2.0.0 OK')
        else if (verb === 'QUIT') {
          reply('221 2.0.0 Bye')
          socket.end()
        } else if (verb === '') continue
        else reply('502 5.5.2 Command not implemented')
      }
    })
  })
  return new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(port, host, () => {
      const mailbox = {
        port: server.address().port,
        messages,
        /** Messages to `address` (case-insensitive), oldest first. */
        to: (address) => messages.filter((m) => m.to.includes(address.toLowerCase())),
        /**
         * Waits (polling, up to `timeoutMs`) for a message to `address`
         * received after `since` whose link matches `pattern`; returns the
         * message and that link.
         */
        async waitForLink(address, pattern, { since = 0, timeoutMs = 20000 } = {}) {
          const until = Date.now() + timeoutMs
          for (;;) {
            for (const m of mailbox.to(address).filter((m) => m.at >= since).reverse()) {
              const link = linksIn(m).find((l) => pattern.test(l))
              if (link) return { message: m, link }
            }
            if (Date.now() > until) {
              const got = mailbox.to(address).map((m) => m.subject)
              throw new Error(`no e-mail with a link matching ${pattern} to ${address} within ${timeoutMs / 1000} s (${got.length ? `got: ${got.join(' | ')}` : `${messages.length} messages to others`})`)
            }
            await new Promise((r) => setTimeout(r, 200))
          }
        },
        close() {
          for (const s of sockets) s.destroy()
          return new Promise((r) => server.close(() => r()))
        },
      }
      resolve(mailbox)
    })
  })
}
