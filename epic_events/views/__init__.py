"""Rich views: menus, prompts, forms and tables. Views never touch the database."""
