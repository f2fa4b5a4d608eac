"""The query language: text → tokens (lexer) → AST (parser) → parameterised SQL (compiler)."""
