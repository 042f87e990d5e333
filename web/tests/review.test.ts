import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'
import { optionRows, verdict, type ReviewItemLike } from '../src/lib/review'

import { fakeApi } from './fake-api'
import { i18n, setLocale } from '../src/i18n'
import { session } from '../src/session'
import Review from '../src/views/Review.vue'

const api = fakeApi()

const tf = { true: 'Верно', false: 'Неверно' }
const single = (chosen: string | null, revealed: boolean): ReviewItemLike => ({
  question: { points: 1, body: { kind: 'single_choice', options: [{ id: 'a', text: 'Два' }, { id: 'b', text: 'Один' }] } },
  answer: chosen ? { kind: 'single_choice', value: chosen } : null,
  score: revealed ? { status: 'scored', points: chosen === 'a' ? 1 : 0 } : null,
  correct: revealed ? { kind: 'single_choice', option: 'a' } : null,
})
const multiple: ReviewItemLike = {
  question: { points: 1, body: { kind: 'multiple_choice', options: [{ id: 'x', text: '2' }, { id: 'y', text: '3' }, { id: 'z', text: '5' }] } },
  answer: { kind: 'multiple_choice', value: ['x', 'z'] },
  score: { status: 'scored', points: 0.5 },
  correct: { kind: 'multiple_choice', options: ['x', 'y'] },
}
const marks = (item: ReviewItemLike) => optionRows(item, tf)!.map((r) => [r.text, r.mark])

describe('review marks', () => {
  it('a wrong single choice: the chosen option is wrong, the right one is shown as missed', () => {
    expect(marks(single('b', true))).toEqual([['Два', 'missed'], ['Один', 'chosen_wrong']])
    expect(marks(single('a', true))).toEqual([['Два', 'chosen_correct'], ['Один', 'plain']])
  })
  it('multiple choice marks each option', () => {
    expect(marks(multiple)).toEqual([['2', 'chosen_correct'], ['3', 'missed'], ['5', 'chosen_wrong']])
  })
  it('true/false', () => {
    const item: ReviewItemLike = { question: { points: 1, body: { kind: 'true_false' } }, answer: { kind: 'true_false', value: false }, correct: { kind: 'true_false', value: true } }
    expect(marks(item)).toEqual([['Верно', 'missed'], ['Неверно', 'chosen_wrong']])
  })
  it('answers not revealed: only the student\'s own choice is marked', () => {
    expect(marks(single('b', false))).toEqual([['Два', 'plain'], ['Один', 'chosen']])
  })
  it('other kinds have no option rows', () => {
    expect(optionRows({ question: { points: 1, body: { kind: 'numeric' } } }, tf)).toBeNull()
  })
  it('the verdict says right, wrong or partly right', () => {
    expect(verdict(single('a', true))).toBe('right')
    expect(verdict(single('b', true))).toBe('wrong')
    expect(verdict(multiple)).toBe('partial')
    expect(verdict(single('b', false))).toBeNull()
  })
})

describe('the review page', () => {
  beforeEach(() => {
    setLocale('ru')
    session.user = { id: 's1', email: 's@x.test', display_name: 'Иван', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
  })
  async function show(revealed: boolean) {
    const item = single('b', revealed)
    api.get.mockResolvedValue({
      attempt: { id: 't1', quiz_id: 'q1', number: 1, result: { score: 4.5, max_score: 6, pending_manual: false, per_question: {} } },
      answers_revealed: revealed,
      items: [
        { ...item, question: { id: 'qa', prompt: '<p>Сколько корней при D &gt; 0?</p>', ...item.question }, explanation: null },
        { ...multiple, question: { id: 'qb', prompt: '<p>Корни x² − 5x + 6</p>', ...multiple.question }, explanation: null },
      ],
    })
    const w = mount(Review, { props: { id: 't1' }, global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } })
    await flushPromises()
    return w
  }
  it('marks the chosen wrong option red with a cross and words, and the right one as the correct answer', async () => {
    const w = await show(true)
    const [first] = w.findAll('[data-test=review-item]')
    const wrong = first.find('[data-mark=chosen_wrong]')
    expect(wrong.text()).toContain('Один')
    expect(wrong.text()).toContain('Ваш ответ')
    expect(wrong.text()).toContain('✗')
    expect(wrong.classes()).toContain('border-danger')
    const right = first.find('[data-mark=missed]')
    expect(right.text()).toContain('Два')
    expect(right.text()).toContain('Верный ответ')
    // The question's badge says it is wrong, in red, not an amber "0 / 1".
    const badge = first.find('[data-test=item-verdict]')
    expect(badge.classes()).toContain('text-bg-danger')
    expect(badge.text()).toMatch(/Ошибка/)
  })
  it('a chosen right option gets a tick; partial credit is amber and says so, with a decimal comma', async () => {
    const w = await show(true)
    const second = w.findAll('[data-test=review-item]')[1]
    expect(second.find('[data-mark=chosen_correct]').text()).toContain('✓')
    expect(second.find('[data-mark=chosen_correct]').text()).toContain('Ваш ответ')
    const badge = second.find('[data-test=item-verdict]')
    expect(badge.classes()).toContain('text-bg-warning')
    expect(badge.text()).toContain('Частично')
    expect(badge.text()).toContain('0,5 / 1')
    expect(w.find('[data-test=attempt-score]').text()).toContain('4,5 / 6')
  })
  it('answers not revealed: only "your answer", nothing right or wrong', async () => {
    const w = await show(false)
    const [first] = w.findAll('[data-test=review-item]')
    expect(first.find('[data-mark=chosen]').text()).toContain('Ваш ответ')
    expect(first.find('[data-mark=chosen_wrong]').exists()).toBe(false)
    expect(first.find('[data-mark=missed]').exists()).toBe(false)
  })
})
