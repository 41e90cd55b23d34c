; Rust definitions. `@name` is the defined name, `@definition.<kind>` the whole item; where two
; patterns match one item the first (more specific) one wins.

(impl_item
  body: (declaration_list
    (function_item name: (identifier) @name) @definition.method))

(trait_item
  body: (declaration_list
    (function_item name: (identifier) @name) @definition.method))

(trait_item
  body: (declaration_list
    (function_signature_item name: (identifier) @name) @definition.method))

(function_item name: (identifier) @name) @definition.function

(struct_item name: (type_identifier) @name) @definition.struct

(union_item name: (type_identifier) @name) @definition.struct

(enum_item name: (type_identifier) @name) @definition.enum

(trait_item name: (type_identifier) @name) @definition.trait

(type_item name: (type_identifier) @name) @definition.type

(impl_item type: (_) @name) @definition.impl

(mod_item name: (identifier) @name) @definition.module

(macro_definition name: (identifier) @name) @definition.macro

(const_item name: (identifier) @name) @definition.constant

(static_item name: (identifier) @name) @definition.constant
