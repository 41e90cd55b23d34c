; Go definitions.

(function_declaration name: (identifier) @name) @definition.function

(method_declaration name: (field_identifier) @name) @definition.method

(type_declaration
  (type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct)

(type_declaration
  (type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface)

(type_declaration
  (type_spec name: (type_identifier) @name) @definition.type)

(type_declaration
  (type_alias name: (type_identifier) @name) @definition.type)

(interface_type
  (method_elem name: (field_identifier) @name) @definition.method)

(source_file
  (const_declaration
    (const_spec name: (identifier) @name) @definition.constant))

(source_file
  (var_declaration
    (var_spec name: (identifier) @name) @definition.constant))
