import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { toasts, clearToasts } from '../src/lib/toast'
import Assignment from '../src/views/Assignment.vue'
import RichEditor from '../src/components/RichEditor.vue'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true } } }
const text = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()
const assignment = {
  id: 'a1', course_id: 'c1', title: 'Уравнения', instructions: '<p>Решите</p>', max_score: 10,
  late_policy: { kind: 'no_penalty' }, submission_kind: 'text', file_limits: { max_files: 3, max_file_size: 1048576, allowed_extensions: [] }, attachments: [],
}
const deadline = { due_at: '2030-03-05T20:59:00Z', cut_off_at: null }
const v1 = { id: 'v1', number: 1, text: '<p>x = 2 и x = 3</p>', files: [{ id: 'f1', name: 'solution.txt' }], submitted_at: '2030-03-01T09:30:00Z', late: false }
const handedIn = { id: 's1', assignment_id: 'a1', student_id: 'u1', state: 'submitted', versions: [v1], grade: null, rework_feedback: null }
let current: unknown = null

beforeEach(() => {
  api.get.mockReset()
  api.post.mockReset()
  setLocale('ru')
  session.checked = true
  session.user = { id: 'u1', email: 's@x.test', display_name: 'Ира', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
  current = null
  api.get.mockImplementation(async (p: string) => {
    if (p === '/assignments/a1') return { assignment, deadline, status: current ? 'submitted' : 'not_submitted', submission: structuredClone(current) }
    throw new Error(`unexpected GET ${p}`)
  })
})
afterEach(() => clearToasts())

describe('handing in homework says it is done (#13)', () => {
  it('after a hand-in: a toast, a clear «Сдано» with the version, no empty editor', async () => {
    const w = mount(Assignment, { props: { id: 'a1' }, ...opts })
    await flushPromises()
    expect(w.find('h2').text()).toBe('Сдать работу')
    api.post.mockImplementation(async () => {
      current = handedIn
      return { submission: handedIn, duplicate: false }
    })
    await w.find('[data-test=handin-submit]').trigger('click')
    await flushPromises()
    expect(toasts.map((t) => t.text)).toContain('Работа сдана: версия 1.')
    const card = w.find('[data-test=handed-in]')
    expect(card.find('[data-test=handed-in-state]').text()).toContain('Сдано')
    expect(text(card.find('[data-test=handed-in-version]').text())).toBe('Версия 1 · 1 мар. 2030 г., 12:30')
    expect(card.text()).toContain('x = 2 и x = 3')
    expect(card.find('a[href="/api/v1/files/f1"]').text()).toBe('solution.txt')
    // No editor and no «Сдать заново» until asked for.
    expect(w.find('[data-test=handin-submit]').exists()).toBe(false)
    expect(w.findComponent(RichEditor).exists()).toBe(false)
    expect(w.text()).not.toContain('Сдать заново')
  })

  it('«Сдать новую версию» is a secondary action that opens the editor with the last text', async () => {
    current = handedIn
    const w = mount(Assignment, { props: { id: 'a1' }, ...opts })
    await flushPromises()
    const again = w.find('[data-test=new-version]')
    expect(again.text()).toBe('Сдать новую версию')
    expect(again.classes()).toContain('btn-outline-secondary')
    await again.trigger('click')
    expect(w.findComponent(RichEditor).props('modelValue')).toBe('<p>x = 2 и x = 3</p>')
    expect(w.text()).toContain('Новая версия (№ 2)')
    expect(w.find('[data-test=new-version]').exists()).toBe(false)
    await w.find('[data-test=new-version-cancel]').trigger('click')
    expect(w.findComponent(RichEditor).exists()).toBe(false)
  })

  it('work returned for rework opens the editor at once, with the last text', async () => {
    current = { ...handedIn, state: 'returned_for_rework', rework_feedback: '<p>Проверьте второй корень</p>' }
    const w = mount(Assignment, { props: { id: 'a1' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=handed-in]').exists()).toBe(false)
    expect(w.find('[data-test=rework]').text()).toContain('Проверьте второй корень')
    expect(w.findComponent(RichEditor).props('modelValue')).toBe('<p>x = 2 и x = 3</p>')
    expect(w.find('[data-test=handin-submit]').exists()).toBe(true)
  })
})

describe('files the teacher attached to the homework (#17)', () => {
  it('the assignment page lists them as downloads', async () => {
    current = null
    api.get.mockImplementation(async (p: string) => {
      if (p === '/assignments/a1') return { assignment: { ...assignment, attachments: [{ id: 'f9', name: 'задачи.pdf', size: 1200, content_type: 'application/pdf' }] }, deadline, can_manage: false }
      if (p.startsWith('/assignments/a1/submissions/mine')) return null
      throw new Error(`unexpected GET ${p}`)
    })
    const w = mount(Assignment, { props: { id: 'a1' }, ...opts })
    await flushPromises()
    const link = w.find('[data-test=hw-file-link]')
    expect(text(link.text())).toBe('задачи.pdf')
    expect(link.attributes('href')).toContain('/files/f9')
  })
})
