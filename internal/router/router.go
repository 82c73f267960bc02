// Package router owns URL routing with Django's semantics: path() patterns
// with converters, regex patterns, include() groups, names and reverse().
package router
