import { describe, it, expect } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { mathSegments } from '../src/lib/formula'
import MathText from '../src/components/MathText.vue'
import { i18n } from '../src/i18n'

describe('formulas in quiz options, between dollar signs (#17)', () => {
  it('splits a text into text and formulas', () => {
    expect(mathSegments('Корень $x_1 = 2$ и $x_2=3$')).toEqual([
      { math: false, text: 'Корень ' },
      { math: true, text: 'x_1 = 2' },
      { math: false, text: ' и ' },
      { math: true, text: 'x_2=3' },
    ])
    expect(mathSegments('$\\frac{1}{2}$')).toEqual([{ math: true, text: '\\frac{1}{2}' }])
  })
  it('leaves prices, lone and escaped dollars as text', () => {
    expect(mathSegments('5 $ за штуку')).toEqual([{ math: false, text: '5 $ за штуку' }])
    expect(mathSegments('$5 и $')).toEqual([{ math: false, text: '$5 и $' }])
    expect(mathSegments('цена \\$5, а не $x$')).toEqual([
      { math: false, text: 'цена $5, а не ' },
      { math: true, text: 'x' },
    ])
    expect(mathSegments('$')).toEqual([{ math: false, text: '$' }])
    expect(mathSegments('')).toEqual([])
  })
  it('never turns the text into markup', async () => {
    const w = mount(MathText, { props: { text: '<img src=x onerror=alert(1)> $x^2$' }, global: { plugins: [i18n] } })
    await flushPromises()
    expect(w.find('img').exists()).toBe(false)
    expect(w.text()).toContain('<img src=x onerror=alert(1)>')
    const f = w.find('span.ql-formula')
    expect(f.attributes('data-value')).toBe('x^2')
  })
  it('typesets the formula with KaTeX', async () => {
    const w = mount(MathText, { props: { text: 'Ответ: $\\sqrt{2}$' }, attachTo: document.body })
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    expect(w.find('span.ql-formula .katex').exists()).toBe(true)
    w.unmount()
  })
})

describe('a formula alone on its line is a block formula (#17)', () => {
  it('is typeset at display size; one inside a sentence stays inline', async () => {
    const { typesetFormulas, standsAlone } = await import('../src/lib/formula')
    const root = document.createElement('div')
    root.innerHTML = '<p><span class="ql-formula" data-value="x = \\frac{-b}{2a}">x</span></p><p>Площадь <span class="ql-formula" data-value="S = \\pi r^2">S</span> круга</p>'
    const [alone, inline] = Array.from(root.querySelectorAll('span.ql-formula'))
    expect(standsAlone(alone)).toBe(true)
    expect(standsAlone(inline)).toBe(false)
    await typesetFormulas(root)
    expect(alone.querySelector('.katex-display')).not.toBeNull()
    expect(alone.classList.contains('formula-block')).toBe(true)
    expect(inline.querySelector('.katex-display')).toBeNull()
    expect(inline.querySelector('.katex')).not.toBeNull()
  })
})
