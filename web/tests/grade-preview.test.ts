import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

const push = vi.fn()
vi.mock('vue-router', async (orig) => ({ ...(await orig<typeof import('vue-router')>()), useRouter: () => ({ push, replace: push }) }))
import { ApiError } from '../src/api/http'
import { fakeApi } from './fake-api'
import { session } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { toasts, clearToasts } from '../src/lib/toast'
import Submission from '../src/views/Submission.vue'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true } } }
const text = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()
const version = { id: 'v1', number: 1, text: '<p>x = 2</p>', files: [], submitted_at: '2026-03-05T10:00:00Z', late: true }
const submission = { id: 's1', assignment_id: 'a1', student_id: 'st1', state: 'submitted_late', versions: [version], grade: null }
const assignment = { assignment: { id: 'a1', course_id: 'c1', title: 'Уравнения', max_score: 10 } }
const preview = (raw: number, kept: number) => ({ version: 1, raw_score: raw, kept_percent: kept, final_score: (raw * kept) / 100, max_score: 10, due_at: '2026-03-03T20:59:00Z', days_late: kept === 100 ? 0 : 2 })
let keptPercent = 60

function serve() {
  api.get.mockImplementation(async (p: string) => {
    if (p === '/submissions/s1') return structuredClone(submission)
    if (p === '/assignments/a1') return assignment
    if (p === '/submissions/s1/history') return []
    const m = p.match(/^\/submissions\/s1\/grade-preview\?raw_score=(.+)$/)
    if (m) {
      const raw = Number(m[1])
      if (raw > 10) throw new ApiError(422, 'score_above_max', 'raw_score: score exceeds the maximum 10', 'raw_score')
      return preview(raw, keptPercent)
    }
    throw new Error(`unexpected GET ${p}`)
  })
}
const previewCalls = () => api.get.mock.calls.map((c) => c[0]).filter((p) => p.includes('grade-preview'))

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  api.get.mockReset()
  api.post.mockReset()
  push.mockReset()
  keptPercent = 60
  setLocale('ru')
  session.checked = true
  session.user = { id: 't1', email: 't@x.test', display_name: 'Учитель', role: 'teacher', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
  sessionStorage.setItem('lms.queue', JSON.stringify(['s0', 's1', 's2']))
  serve()
})
afterEach(() => {
  vi.useRealTimers()
  clearToasts()
})

async function openPage() {
  const w = mount(Submission, { props: { id: 's1' }, ...opts })
  await flushPromises()
  return w
}

describe('the late penalty is shown before a grade is saved (#13)', () => {
  it('asks once the typing pauses (~250 ms) and shows the penalty with a decimal comma', async () => {
    const w = await openPage()
    const input = w.find('[data-test=grade-score]')
    await input.setValue('8')
    await vi.advanceTimersByTimeAsync(100)
    await input.setValue('8.5')
    await vi.advanceTimersByTimeAsync(200)
    expect(previewCalls()).toEqual([])
    await vi.advanceTimersByTimeAsync(60)
    await flushPromises()
    expect(previewCalls()).toEqual(['/submissions/s1/grade-preview?raw_score=8.5'])
    expect(text(w.find('[data-test=grade-preview]').text())).toBe('Опоздание: 2 дн. Штраф: сохранится 60 % → 5,1 из 10')
  })

  it('says nothing when the work was on time (100 % kept)', async () => {
    keptPercent = 100
    const w = await openPage()
    await w.find('[data-test=grade-score]').setValue('8')
    await vi.advanceTimersByTimeAsync(300)
    await flushPromises()
    expect(previewCalls()).toHaveLength(1)
    expect(w.find('[data-test=grade-preview]').exists()).toBe(false)
  })

  it('a score above the maximum is named at the field before saving', async () => {
    const w = await openPage()
    await w.find('[data-test=grade-score]').setValue('12')
    await vi.advanceTimersByTimeAsync(300)
    await flushPromises()
    expect(w.find('[data-test=grade-preview-error]').text()).toBe('Балл больше максимума.')
    expect(w.find('[data-test=grade-score]').classes()).toContain('is-invalid')
  })
})

describe('after grading the page stays and says what was stored (#13)', () => {
  it('shows the stored grade with the penalty, a toast, and a "next" button instead of jumping on', async () => {
    const w = await openPage()
    await w.find('[data-test=grade-score]').setValue('8')
    api.post.mockResolvedValue({ ...submission, state: 'graded', grade: { raw_score: 8, final_score: 4.8, kept_percent: 60, feedback: '' } })
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.post.mock.calls.map((c) => c[0]).filter((p) => !p.endsWith('/member-names'))[0]).toBe('/submissions/s1/grade')
    expect(push).not.toHaveBeenCalled()
    const saved = w.find('[data-test=grade-saved]')
    expect(text(saved.text())).toContain('Оценка сохранена: 4,8 из 10 (штраф за опоздание 40 %)')
    const next = w.findAllComponents(RouterLinkStub).find((l) => l.attributes('data-test') === 'next-after-save')
    expect(next?.props('to')).toBe('/submissions/s2')
    expect(text(next?.text() ?? '')).toBe('Следующая работа →')
    expect(toasts.map((t) => text(t.text))).toContain('Оценка сохранена: 4,8 из 10 (штраф за опоздание 40 %)')
  })

  it('returning for rework stays too', async () => {
    const w = await openPage()
    api.post.mockResolvedValue({ ...submission, state: 'returned_for_rework' })
    await w.find('[data-test=return-submit]').trigger('click')
    await flushPromises()
    expect(push).not.toHaveBeenCalled()
    expect(w.find('[data-test=grade-saved]').text()).toContain('Работа возвращена студенту на доработку.')
    expect(w.find('[data-test=next-after-save]').exists()).toBe(true)
  })
})
