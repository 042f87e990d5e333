// Files on a message of a submission's thread (src/lib/attachments.ts): how
// many more fit, when the message may go, the request posted, and sizes.
import { describe, it, expect } from 'vitest'
import type { FileRef } from '../src/api/types'
import { MAX_COMMENT_FILES, canSend, commentBody, fileSize, room, type FileChip } from '../src/lib/attachments'
import { i18n, setLocale } from '../src/i18n'

const stored = (id: string): FileRef => ({
  id, name: `${id}.pdf`, content_type: 'application/pdf', size: 10, storage_key: id, uploaded_at: '2026-03-05T10:00:00Z', uploaded_by: 'u1',
})
const done = (key: number, id: string): FileChip => ({ key, name: `${id}.pdf`, size: 10, progress: 1, ref: stored(id) })
const going = (key: number): FileChip => ({ key, name: 'big.zip', size: 5_000_000, progress: 0.4 })

describe('files on a comment', () => {
  it('at most ten in all: the picked files that still fit', () => {
    expect(MAX_COMMENT_FILES).toBe(10)
    expect(room(0, 3)).toBe(3)
    expect(room(8, 5)).toBe(2)
    expect(room(10, 1)).toBe(0)
    expect(room(12, 1)).toBe(0)
    expect(room(0, 0)).toBe(0)
    expect(room(1, 4, 3)).toBe(2)
  })

  it('the request: the text and the uploaded files in the order chosen', () => {
    expect(commentBody('<p>Вот</p>', [])).toEqual({ body: '<p>Вот</p>', file_ids: [] })
    expect(commentBody('<p>Вот</p>', [done(1, 'f1'), done(2, 'f2')])).toEqual({ body: '<p>Вот</p>', file_ids: ['f1', 'f2'] })
    // Only files: the text is empty, not missing.
    expect(commentBody('', [done(3, 'f3')])).toEqual({ body: '', file_ids: ['f3'] })
    // A file still uploading is not sent (the button waits for it anyway).
    expect(commentBody('x', [done(1, 'f1'), going(2)]).file_ids).toEqual(['f1'])
  })

  it('may be sent with text, with files, or both; not empty, not while uploading', () => {
    expect(canSend('', [])).toBe(false)
    expect(canSend('<p>Да</p>', [])).toBe(true)
    expect(canSend('', [done(1, 'f1')])).toBe(true)
    expect(canSend('<p>Да</p>', [done(1, 'f1'), going(2)])).toBe(false)
    expect(canSend('', [going(1)])).toBe(false)
  })

  it('sizes for people in the UI language', () => {
    setLocale('ru')
    const t = (k: string, p: { n: string }) => i18n.global.t(k, p)
    expect(fileSize(0, 'ru', t)).toBe('0 КБ')
    expect(fileSize(1, 'ru', t)).toBe('1 КБ')
    expect(fileSize(2048, 'ru', t)).toBe('2 КБ')
    expect(fileSize(820 * 1024 - 100, 'ru', t)).toBe('820 КБ')
    expect(fileSize(1.5 * 1024 * 1024, 'ru', t)).toBe('1,5 МБ')
    expect(fileSize(3 * 1024 * 1024, 'ru', t)).toBe('3 МБ')
    expect(fileSize(Number.NaN, 'ru', t)).toBe('0 КБ')
    setLocale('en')
    expect(fileSize(1.25 * 1024 * 1024, 'en', t)).toBe('1.3 MB')
    expect(fileSize(512, 'en', t)).toBe('1 KB')
    setLocale('ru')
  })
})
