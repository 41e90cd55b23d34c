; hone's highlight query for JavaScript, shared by the TypeScript and TSX grammars (which extend
; JavaScript's) under the TypeScript crate's own query. Only the captures ui::markdown colours.

(comment) @comment
[(string) (template_string) (regex)] @string
(escape_sequence) @string.escape
(number) @number
[(true) (false) (null) (undefined)] @constant.builtin
[(this) (super)] @keyword

(function_declaration name: (identifier) @function)
(function_expression name: (identifier) @function)
(generator_function_declaration name: (identifier) @function)
(method_definition name: (property_identifier) @function.method)
(call_expression function: (identifier) @function)
(call_expression
  function: (member_expression property: (property_identifier) @function.method))
(new_expression constructor: (identifier) @constructor)

[
  "as" "async" "await" "break" "case" "catch" "class" "const" "continue" "debugger"
  "default" "delete" "do" "else" "export" "extends" "finally" "for" "from" "function"
  "get" "if" "import" "in" "instanceof" "let" "new" "of" "return" "set" "static"
  "switch" "throw" "try" "typeof" "var" "void" "while" "with" "yield"
] @keyword
