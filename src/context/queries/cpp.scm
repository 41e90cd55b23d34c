; C++ additions to the C query, placed before it (the earlier pattern wins on a node).

(field_declaration_list
  (declaration
    declarator: (function_declarator declarator: (identifier) @name)) @definition.method)

(function_definition
  declarator: (function_declarator
    declarator: (qualified_identifier name: (identifier) @name))) @definition.method

(function_definition
  declarator: (function_declarator declarator: (field_identifier) @name)) @definition.method

(field_declaration
  declarator: (function_declarator declarator: (field_identifier) @name)) @definition.method

(class_specifier name: (type_identifier) @name body: (_)) @definition.class

(namespace_definition name: (namespace_identifier) @name) @definition.module

(alias_declaration name: (type_identifier) @name) @definition.type
