// The question bank's and the item analysis's helpers (src/lib/bank.ts) and
// the question form (src/lib/question.ts).
import { describe, it, expect } from 'vitest'
import {
  barPercents,
  binLabel,
  categoryTree,
  comparePaths,
  formatIndex,
  importButtonKey,
  itemHints,
  parseTags,
  plainText,
  poolProblem,
  promptStart,
  share,
  slotLabel,
} from '../src/lib/bank'
import { blankForm, editedQuestion, formBody, questionForm } from '../src/lib/question'
import type { QuestionBody } from '../src/api/types'
import { i18n } from '../src/i18n'

const COURSE = '00000000-0000-4000-8000-000000000001'

describe('the category tree', () => {
  it('lists parents before subcategories, numbers by value, with the counts of each subtree', () => {
    const tree = categoryTree([
      { category: 'ЕГЭ/Задание 10', questions: 2 },
      { category: 'ЕГЭ/Задание 2', questions: 3 },
      { category: '', questions: 4 },
      { category: 'ОГЭ', questions: 1 },
      { category: 'ЕГЭ', questions: 5 },
      { category: 'ЕГЭ/Задание 2/Проценты', questions: 7 },
    ])
    expect(tree.map((c) => [c.path, c.name, c.depth, c.own, c.total])).toEqual([
      ['ЕГЭ', 'ЕГЭ', 0, 5, 17],
      ['ЕГЭ/Задание 2', 'Задание 2', 1, 3, 10],
      ['ЕГЭ/Задание 2/Проценты', 'Проценты', 2, 7, 7],
      ['ЕГЭ/Задание 10', 'Задание 10', 1, 2, 2],
      ['ОГЭ', 'ОГЭ', 0, 1, 1],
    ])
  })

  it('adds the parents that hold no question themselves, and leaves out the top', () => {
    const tree = categoryTree([{ category: 'ЕГЭ/Задание 1', questions: 20 }, { category: '', questions: 3 }])
    expect(tree).toEqual([
      { path: 'ЕГЭ', name: 'ЕГЭ', depth: 0, own: 0, total: 20 },
      { path: 'ЕГЭ/Задание 1', name: 'Задание 1', depth: 1, own: 20, total: 20 },
    ])
    expect(categoryTree([])).toEqual([])
  })

  it('does not count a sibling whose name starts the same as part of the subtree', () => {
    const tree = categoryTree([{ category: 'A', questions: 1 }, { category: 'AB', questions: 2 }, { category: 'A/B', questions: 4 }])
    expect(tree.find((c) => c.path === 'A')?.total).toBe(5)
    expect(tree.find((c) => c.path === 'AB')?.total).toBe(2)
  })

  it('compares paths part by part', () => {
    expect(['b', 'a/Задание 10', 'a', 'a/Задание 9'].sort(comparePaths)).toEqual(['a', 'a/Задание 9', 'a/Задание 10', 'b'])
  })
})

describe('tags and texts', () => {
  it('takes tags separated by commas or semicolons, lower case, each once', () => {
    expect(parseTags(' Устно, проценты;устно ,, ЕГЭ ')).toEqual(['устно', 'проценты', 'егэ'])
    expect(parseTags('')).toEqual([])
  })

  it('turns HTML into plain text and cuts the start of a prompt', () => {
    expect(plainText('<p>Сколько будет <strong>2&nbsp;+&nbsp;2</strong>?</p><p>a &lt; b &amp;&amp; c</p>')).toBe('Сколько будет 2 + 2 ? a < b && c')
    expect(promptStart('<p>Короткий</p>')).toBe('Короткий')
    const long = promptStart(`<p>${'слово '.repeat(30)}</p>`, 20)
    expect([...long].length).toBeLessThanOrEqual(20)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('random slots', () => {
  const t = (key: string, params: Record<string, unknown>) => i18n.global.t(key, params)
  const say = (body: QuestionBody) => {
    const l = slotLabel(body)
    return l && t(l.key, l.params)
  }

  it('names a slot by its pool', () => {
    i18n.global.locale.value = 'ru'
    expect(say({ kind: 'random', count: 5, pool: { from: 'category', course_id: COURSE, category: 'ЕГЭ/Задание 1', tag: null } })).toBe('Случайно: 5 из «ЕГЭ/Задание 1»')
    expect(say({ kind: 'random', count: 2, pool: { from: 'category', course_id: COURSE, category: 'ЕГЭ', tag: 'устно' } })).toBe('Случайно: 2 из «ЕГЭ» с тегом «устно»')
    expect(say({ kind: 'random', count: 3, pool: { from: 'category', course_id: COURSE, category: '', tag: null } })).toBe('Случайно: 3 из всего банка')
    expect(say({ kind: 'random', count: 1, pool: { from: 'questions', course_id: COURSE, ids: [COURSE, COURSE.replace('1', '2'), COURSE.replace('1', '3')] } })).toBe('Случайно: 1 из 3 выбранных вопросов')
    expect(slotLabel({ kind: 'essay' })).toBeNull()
  })

  it("says why the server refused a pool, from lms-core's messages", () => {
    expect(poolProblem('pool: it holds 3 questions, fewer than the 5 to draw')).toEqual({ key: 'bank.pool_too_small', params: { available: 3, wanted: 5 } })
    expect(poolProblem('pool: it holds 1 question, fewer than the 2 to draw')?.params).toEqual({ available: 1, wanted: 2 })
    expect(poolProblem(`pool: question ${COURSE} is not in that course's bank`)?.key).toBe('bank.pool_unknown_question')
    expect(poolProblem('pool: the bank of a course you do not manage')?.key).toBe('bank.pool_course')
    expect(poolProblem('a random slot draws 1 to 100 questions from a non-empty pool of distinct questions')?.key).toBe('bank.pool_draw')
    expect(poolProblem("pool: the category must be at most 200 characters of non-empty '/'-separated parts")?.key).toBe('bank.pool_category')
    expect(poolProblem('pool: at most 20 tags of 1 to 50 characters')?.key).toBe('bank.pool_tag')
    expect(poolProblem('something else')).toBeNull()
    i18n.global.locale.value = 'ru'
    expect(i18n.global.t('bank.pool_too_small', { available: 3, wanted: 5 })).toBe('Вопросов в наборе: 3 — меньше, чем нужно взять (5). Уменьшите число или добавьте вопросы в банк.')
  })

  it('agrees the import button with the number of questions', () => {
    expect([1, 21, 2, 4, 23, 5, 11, 12, 20].map((n) => importButtonKey(n, 'ru').replace('bank.import_n_', ''))).toEqual(['one', 'one', 'few', 'few', 'few', 'many', 'many', 'many', 'many'])
    expect([1, 2, 20].map((n) => importButtonKey(n, 'en').replace('bank.import_n_', ''))).toEqual(['one', 'many', 'many'])
    expect(i18n.global.t(importButtonKey(20, 'ru'), { n: 20 })).toBe('Импортировать 20 вопросов')
  })
})

describe('item analysis', () => {
  it('flags too hard, too easy and poorly discriminating questions', () => {
    expect(itemHints({ facility: 0.1, discrimination: 0.5 })).toEqual(['too_hard'])
    expect(itemHints({ facility: 0.95, discrimination: 0.1 })).toEqual(['too_easy', 'poor_discrimination'])
    expect(itemHints({ facility: 0.2, discrimination: 0.2 })).toEqual([])
    expect(itemHints({ facility: 0.9, discrimination: -0.3 })).toEqual(['poor_discrimination'])
    expect(itemHints({ facility: null, discrimination: null })).toEqual([])
    expect(itemHints({})).toEqual([])
  })

  it('formats the discrimination with two decimals and labels the histogram bins', () => {
    expect(formatIndex(0.5, 'ru')).toBe('0,50')
    expect(formatIndex(0.333, 'en')).toBe('0.33')
    expect(formatIndex(null, 'ru')).toBe('—')
    expect(binLabel(90, 100, 'ru')).toBe('90–100\u00a0%')
    expect(binLabel(0, 10, 'en')).toBe('0–10%')
  })

  it('scales bars to the largest value and shares to 0..1', () => {
    expect(barPercents([0, 2, 4, 1])).toEqual([0, 50, 100, 25])
    expect(barPercents([0, 0])).toEqual([0, 0])
    expect(barPercents([])).toEqual([])
    expect(share(1, 4)).toBe(0.25)
    expect(share(3, 0)).toBe(0)
    expect(share(5, 4)).toBe(1)
  })
})

describe('the question form', () => {
  it('gives the body of the chosen kind and loads it back', () => {
    const f = blankForm('single_choice')
    f.prompt = '<p>2 + 2?</p>'
    f.options[0].text = '4'
    f.options[1].text = '5'
    f.points = '2'
    const q = editedQuestion(f)
    expect(q).toMatchObject({ id: '', prompt: '<p>2 + 2?</p>', points: 2, explanation: null })
    expect(q.body).toEqual({ kind: 'single_choice', options: [{ id: f.options[0].id, text: '4' }, { id: f.options[1].id, text: '5' }], correct: f.options[0].id })
    const back = questionForm({ ...q, id: 'q1' })
    expect(back?.id).toBe('q1')
    expect(back?.options.map((o) => [o.text, o.correct])).toEqual([['4', true], ['5', false]])
  })

  it('keeps each kind\'s answer', () => {
    const f = blankForm('short_text')
    f.accepted = ' сумма \n\nсумму'
    expect(formBody(f)).toEqual({ kind: 'short_text', accepted: ['сумма', 'сумму'] })
    f.kind = 'numeric'
    f.value = '3.14'
    f.tolerance = '0.01'
    expect(formBody(f)).toEqual({ kind: 'numeric', value: 3.14, tolerance: 0.01 })
    f.kind = 'true_false'
    f.tf = false
    expect(formBody(f)).toEqual({ kind: 'true_false', correct: false })
    const n = questionForm({ id: 'x', prompt: 'p', points: 1, explanation: 'e', body: { kind: 'numeric', value: 80, tolerance: 0 } })
    expect([n?.kind, n?.value, n?.tolerance, n?.explanation]).toEqual(['numeric', 80, 0, 'e'])
  })

  it('does not load a random slot', () => {
    expect(questionForm({ id: 's', prompt: 'x', points: 1, explanation: null, body: { kind: 'random', count: 1, pool: { from: 'questions', course_id: COURSE, ids: [COURSE] } } })).toBeNull()
  })
})
