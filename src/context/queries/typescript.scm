; TypeScript additions to the JavaScript query, placed before it.

(abstract_class_declaration name: (type_identifier) @name) @definition.class

(interface_declaration name: (type_identifier) @name) @definition.interface

(type_alias_declaration name: (type_identifier) @name) @definition.type

(enum_declaration name: (identifier) @name) @definition.enum

(function_signature name: (identifier) @name) @definition.function

(method_signature name: (_) @name) @definition.method

(abstract_method_signature name: (_) @name) @definition.method

(internal_module name: (_) @name) @definition.module

(module name: (_) @name) @definition.module
