META
key;value
description;Budget participatif de Brune-les-Moulins 2026; a fictional vote
country;France
unit;Brune-les-Moulins
instance;2026
num_projects;5
num_votes;7
budget;100000
vote_type;approval
rule;greedy
max_length;3
max_sum_cost;100000

PROJECTS
project_id;cost;name;category
1;60000;Skatepark des Moulins;sport
2;40000,5;"Jardins partagés; rue Haute";environment,urbanism
3;30000;Boîtes à livres;culture
10;20000;Fontaine à eau;None
9;20000;Bancs du parc;urbanism
VOTES
voter_id;age;vote
v1;34;1,3
v2;None;1
v3;51;2,3,10
v4;29;2,9
v5;70;3
v6;45;10,9
v7;38;
