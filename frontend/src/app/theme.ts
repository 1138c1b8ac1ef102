import type { ThemeConfig } from 'antd'

/** Flowloom's antd theme: colours and shapes come from tokens, not from scattered styles. */
export const theme: ThemeConfig = {
  token: { colorPrimary: '#3b5bdb', borderRadius: 6, fontSize: 14 },
  components: { Layout: { headerBg: '#1b2a4a', headerColor: '#ffffff' } },
}
