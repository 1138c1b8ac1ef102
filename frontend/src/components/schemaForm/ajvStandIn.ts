// @rjsf/core's test helper imports @rjsf/validator-ajv8, which compiles validators with `new Function`
// (refused by the app's CSP) and is not installed; vite.config.ts points that import here instead.
import { cfworkerValidator } from './validator'

export default cfworkerValidator
